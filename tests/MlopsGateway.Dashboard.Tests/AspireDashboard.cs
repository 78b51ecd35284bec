using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace MlopsGateway.Dashboard.Tests;

/// <summary>
/// A standalone Aspire dashboard started from the program in its NuGet package (<c>tools/Aspire.Dashboard</c>) on
/// 127.0.0.1 with free ports, OTLP over gRPC and anonymous access; read back through its HTTP telemetry API.
/// Disposing it stops the process by its id, whatever happened in the test.
/// </summary>
internal sealed class AspireDashboard : IAsyncDisposable
{
    /// <summary>How often the dashboard's HTTP API is read while waiting (it answers from memory; no need to hammer it).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly HttpClient _api;

    private AspireDashboard(Process process, StringBuilder output, Uri frontend, Uri otlp)
    {
        _process = process;
        _output = output;
        FrontendUri = frontend;
        OtlpEndpoint = otlp;
        _api = new HttpClient { BaseAddress = frontend, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Where the package restore put the dashboard program (an assembly attribute written at build time).</summary>
    public static string ExecutablePath { get; } = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboardPath").Value!;

    /// <summary>Whether the package is restored.</summary>
    public static bool Available => File.Exists(ExecutablePath);

    /// <summary>The dashboard's web frontend and HTTP API.</summary>
    public Uri FrontendUri { get; }

    /// <summary>The OTLP/gRPC endpoint to put in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri OtlpEndpoint { get; }

    /// <summary>What the dashboard printed so far, for failure messages.</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>Starts the dashboard and waits (polling with a deadline) until its telemetry API answers.</summary>
    /// <param name="timeout">How long it may take to become ready.</param>
    public static async Task<AspireDashboard> StartAsync(TimeSpan timeout)
    {
        var (frontendPort, otlpPort) = FreePorts();
        var frontend = new Uri($"http://127.0.0.1:{frontendPort}/");
        var otlp = new Uri($"http://127.0.0.1:{otlpPort}");
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = Path.GetDirectoryName(ExecutablePath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = frontend.ToString();
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = otlp.ToString();
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment.Remove("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        void Append(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dashboard = new AspireDashboard(process, output, frontend, otlp);
        try
        {
            await dashboard.WaitUntilReadyAsync(timeout);
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    /// <summary>GETs a telemetry API path (for example <c>api/telemetry/resources</c>) as JSON.</summary>
    public async Task<JsonNode> GetJsonAsync(string pathAndQuery)
    {
        using var response = await _api.GetAsync(new Uri(pathAndQuery, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {pathAndQuery} answered {(int)response.StatusCode}: {body}");
        }
        return JsonNode.Parse(body) ?? throw new InvalidOperationException($"GET {pathAndQuery} answered no JSON.");
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds or the deadline passes; returns the last value read.</summary>
    public static Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
        => Eventually.ValueAsync(read, done, what, timeout, PollInterval);

    /// <summary>Stops the dashboard by its process id.</summary>
    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            await PollAsync(AnswersAsync, ready => ready, timeout, "the Aspire dashboard answers its telemetry API");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{Output}", ex);
        }
    }

    /// <summary>Whether the dashboard's API answers yet; a dashboard that exited fails at once, with its output.</summary>
    private async Task<bool> AnswersAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The Aspire dashboard exited with {_process.ExitCode} before it was ready:\n{Output}");
        }
        try
        {
            using var response = await _api.GetAsync(new Uri("api/telemetry/resources", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    /// <summary>Two distinct free ports: both sockets stay bound until both numbers are known.</summary>
    private static (int, int) FreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }
}
