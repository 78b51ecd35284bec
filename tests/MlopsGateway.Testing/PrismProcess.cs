using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlopsGateway.Testing;

/// <summary>
/// Runs the pinned Prism CLI on 127.0.0.1 with a free port: <c>prism mock SPEC</c> to validate the
/// gateway's requests against an official spec, or <c>prism proxy SPEC UPSTREAM --errors</c> to also
/// reject a fake's responses that violate it. Output is kept for failure messages.
/// </summary>
public sealed class PrismProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PrismProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>Prism's base address with a trailing slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>Everything Prism printed so far (its violation log).</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>Starts <c>prism mock</c> serving <paramref name="specPath"/>.</summary>
    public static Task<PrismProcess> MockAsync(string specPath) => StartAsync(["mock", specPath, "--errors=false"]);

    /// <summary>Starts <c>prism proxy --errors</c> in front of <paramref name="upstream"/>, validating both directions against <paramref name="specPath"/>.</summary>
    public static Task<PrismProcess> ProxyAsync(string specPath, Uri upstream) => StartAsync(["proxy", specPath, upstream.ToString().TrimEnd('/'), "--errors"]);

    private static async Task<PrismProcess> StartAsync(string[] args)
    {
        if (!SharedPaths.PrismAvailable)
        {
            throw new InvalidOperationException($"Prism is not installed at {SharedPaths.PrismExecutable}; run `npm ci --prefix tests/prism`.");
        }
        var port = FreePort();
        var psi = new ProcessStartInfo(SharedPaths.PrismExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("-h");
        psi.ArgumentList.Add("127.0.0.1");
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Prism did not start.");
        var prism = new PrismProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (prism._output) { prism._output.AppendLine(e.Data); }
            if (e.Data.Contains("Prism is listening", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
        if (finished != ready.Task)
        {
            await prism.DisposeAsync();
            throw new InvalidOperationException($"Prism did not become ready:\n{prism.Output}");
        }
        return prism;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
