using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Tests;

/// <summary>
/// Issue 15 item 4: a caller's present-but-unusable value is refused with <see cref="MlopsValidationException"/>
/// (or answered by the server as an <see cref="MlopsException"/>), never with <see cref="ArgumentException"/>;
/// <see cref="ArgumentNullException"/> is for null arguments only. Every public method of the sub-client
/// interfaces and of every backend-specific service (<c>GetService</c>) of every backend is called, once per
/// text, run-reference and list parameter (and per text member of a required options object) with an empty
/// value, and once per non-nullable reference parameter with null (which may also be refused as an
/// <see cref="MlopsException"/>, but never crash with another type). Remote backends point at a server that
/// answers 404 to everything, so a value the client does not check reaches the server and comes back mapped.
/// </summary>
public sealed class ValueRefusalSweepTests
{
    private static readonly string[] s_backends = ["Local", "MLflow", "Airflow", "Kubeflow", "Metaflow"];

    [Fact]
    public async Task Empty_values_are_validation_errors_and_nulls_argument_null_errors_across_the_public_api()
    {
        await using var server = FakeServer.Start().Fallback(_ => FakeResponse.JsonText(404, "{}"));
        await using var sp = Build(server.BaseUri);
        var provider = sp.GetRequiredService<IMlopsBackendProvider>();
        var problems = new List<string>();
        var calls = 0;

        foreach (var name in s_backends)
        {
            var backend = provider.Get(name);
            var values = new Dummies(name);
            foreach (var (target, method) in Surface(backend))
            {
                foreach (var (what, args) in EmptyVariants(method, values))
                {
                    calls++;
                    var outcome = await InvokeAsync(target, method, args);
                    if (outcome is not null and not MlopsException)
                    {
                        problems.Add($"{name} {method.DeclaringType!.Name}.{method.Name} with {what}: {outcome.GetType().Name}: {outcome.Message}");
                    }
                }
                foreach (var (what, args) in NullVariants(method, values))
                {
                    calls++;
                    var outcome = await InvokeAsync(target, method, args);
                    if (outcome is not (ArgumentNullException or MlopsException))
                    {
                        problems.Add($"{name} {method.DeclaringType!.Name}.{method.Name} with {what}: {outcome?.GetType().Name ?? "no exception"}: {outcome?.Message}");
                    }
                }
            }
        }

        calls.Should().BeGreaterThan(400, "every backend's whole public surface was swept");
        problems.Should().BeEmpty("every refusal must have the right type:\n{0}", string.Join("\n", problems));
    }

    private static ServiceProvider Build(Uri server)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMlopsGateway(o =>
        {
            o.DefaultBackend = "Local";
            foreach (var name in s_backends)
            {
                var options = new BackendOptions { Type = name, BaseUrl = name == "Local" ? null : server.ToString() };
                options.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
                options.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
                switch (name)
                {
                    case "Local":
                        options.Settings["Path"] = ":memory:";
                        break;
                    case "Airflow":
                        options.Settings["ApiVersion"] = "v2";
                        break;
                    case "Kubeflow":
                        options.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = server.ToString() };
                        options.Settings["Namespace"] = "team-a";
                        break;
                }
                o.Backends[name] = options;
            }
        }).AddLocal().AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
        return services.BuildServiceProvider();
    }

    /// <summary>The sub-client interface methods plus every public method of each service the backend hands out.</summary>
    private static IEnumerable<(object Target, MethodInfo Method)> Surface(IMlopsBackend backend)
    {
        foreach (var (target, contract) in new (object, Type)[] { (backend.Runs, typeof(IRunClient)), (backend.Pipelines, typeof(IPipelineClient)), (backend.Models, typeof(IModelRegistryClient)) })
        {
            foreach (var method in contract.GetMethods().Where(Sweepable))
            {
                yield return (target, method);
            }
        }
        var adapterTypes = new[] { "MlopsGateway.Local", "MlopsGateway.MLflow", "MlopsGateway.Airflow", "MlopsGateway.Kubeflow", "MlopsGateway.Metaflow" }
            .SelectMany(a => Assembly.Load(a).GetExportedTypes()).Where(t => t.IsClass && !t.IsAbstract);
        foreach (var type in adapterTypes)
        {
            if (backend.GetService(type) is not { } service || service is IMlopsBackend || service == backend.Pipelines || service == backend.Runs || service == backend.Models)
            {
                continue;
            }
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(Sweepable))
            {
                yield return (service, method);
            }
        }
    }

    // Delegate-taking helpers (RunAsync, Register) run caller code; property accessors and Object members are not operations.
    private static bool Sweepable(MethodInfo m)
        => !m.IsSpecialName && m.DeclaringType != typeof(object) && !m.GetParameters().Any(p => typeof(Delegate).IsAssignableFrom(p.ParameterType));

    private static IEnumerable<(string What, object?[] Args)> EmptyVariants(MethodInfo method, Dummies values)
    {
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (type == typeof(string))
            {
                yield return ($"{parameters[i].Name} = \"\"", values.ArgsWith(parameters, i, ""));
                yield return ($"{parameters[i].Name} = \" \"", values.ArgsWith(parameters, i, " "));
            }
            else if (type == typeof(RunRef))
            {
                yield return ($"{parameters[i].Name} = \"\"", values.ArgsWith(parameters, i, new RunRef("")));
            }
            else if (type == typeof(IEnumerable<string>) || type == typeof(IReadOnlyList<string>))
            {
                yield return ($"{parameters[i].Name} = []", values.ArgsWith(parameters, i, new List<string>()));
                yield return ($"{parameters[i].Name} = [\"\"]", values.ArgsWith(parameters, i, new List<string> { "" }));
            }
            else if (Dummies.IsOptionsObject(type) && !Dummies.IsNullable(parameters[i]))
            {
                foreach (var property in type.GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
                {
                    var options = values.Create(type);
                    property.SetValue(options, "");
                    yield return ($"{parameters[i].Name}.{property.Name} = \"\"", values.ArgsWith(parameters, i, options));
                }
            }
        }
    }

    private static IEnumerable<(string What, object?[] Args)> NullVariants(MethodInfo method, Dummies values)
    {
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!parameters[i].ParameterType.IsValueType && !Dummies.IsNullable(parameters[i]))
            {
                yield return ($"{parameters[i].Name} = null", values.ArgsWith(parameters, i, null));
            }
        }
    }

    /// <summary>Calls the method and drives its result (awaits tasks, reads one item of a stream); returns what it threw, or null.</summary>
    private static async Task<Exception?> InvokeAsync(object target, MethodInfo method, object?[] args)
    {
        try
        {
            var result = method.Invoke(target, args);
            switch (result)
            {
                case Task task:
                    await task.WaitAsync(TimeSpan.FromSeconds(30));
                    result = task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
                    break;
                case ValueTask valueTask:
                    await valueTask;
                    result = null;
                    break;
            }
            await DriveAsync(result);
            return null;
        }
        catch (TargetInvocationException e)
        {
            return e.InnerException;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async Task DriveAsync(object? result)
    {
        var asyncEnumerable = result?.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>));
        if (asyncEnumerable is not null)
        {
            var enumerator = asyncEnumerable.GetMethod("GetAsyncEnumerator")!.Invoke(result, [CancellationToken.None])!;
            var moveNext = typeof(IAsyncEnumerator<>).MakeGenericType(asyncEnumerable.GetGenericArguments()).GetMethod("MoveNextAsync")!;
            try
            {
                await ((ValueTask<bool>)moveNext.Invoke(enumerator, null)!).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                await ((IAsyncDisposable)enumerator).DisposeAsync();
            }
        }
        switch (result)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>Plausible argument values for one backend (run ids in its format), so the parameter under test is the one checked.</summary>
    private sealed class Dummies(string backend)
    {
        private static readonly NullabilityInfoContext s_nullability = new();

        private string RunId => backend switch { "Airflow" => "d/r", "Metaflow" => "Flow/1", _ => "x" };

        public object?[] ArgsWith(ParameterInfo[] parameters, int index, object? value)
            => parameters.Select((p, i) => i == index ? value : For(p)).ToArray();

        public static bool IsNullable(ParameterInfo p) => s_nullability.Create(p).WriteState == NullabilityState.Nullable;

        public static bool IsOptionsObject(Type t)
            => t.IsClass && t != typeof(string) && t.Namespace?.StartsWith("MlopsGateway", StringComparison.Ordinal) == true;

        private object? For(ParameterInfo p)
        {
            if (p.ParameterType == typeof(CancellationToken))
            {
                return CancellationToken.None;
            }
            if (IsNullable(p) && (!p.ParameterType.IsValueType || Nullable.GetUnderlyingType(p.ParameterType) is not null))
            {
                return null;
            }
            return Value(p.ParameterType);
        }

        private object? Value(Type t)
        {
            if (t == typeof(string))
            {
                return "x";
            }
            if (t == typeof(RunRef))
            {
                return new RunRef(RunId);
            }
            if (t.IsEnum)
            {
                var all = Enum.GetValues(t);
                return all.GetValue(Math.Min(2, all.Length - 1));
            }
            if (t == typeof(int) || t == typeof(long) || t == typeof(double))
            {
                return Convert.ChangeType(1, t, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (t == typeof(bool))
            {
                return false;
            }
            if (t == typeof(TimeSpan))
            {
                return TimeSpan.FromSeconds(1);
            }
            if (t == typeof(DateTimeOffset))
            {
                return DateTimeOffset.UnixEpoch.AddYears(50);
            }
            if (t == typeof(Stream))
            {
                return new MemoryStream([1, 2, 3]);
            }
            if (t == typeof(JsonObject))
            {
                return new JsonObject();
            }
            if (t.IsGenericType && t.GetGenericArguments() is [var element] && typeof(IEnumerable).IsAssignableFrom(t))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                list.Add(Value(element));
                return list;
            }
            if (t.IsGenericType && t.GetGenericArguments() is [var key, var value] && typeof(IEnumerable).IsAssignableFrom(t))
            {
                var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(key, value))!;
                map.Add(Value(key)!, Value(value));
                return map;
            }
            return IsOptionsObject(t) ? Create(t) : null;
        }

        /// <summary>An options object with every settable member it can fill filled in (required members included).</summary>
        public object Create(Type t)
        {
            var ctor = t.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
            var instance = ctor.Invoke(ctor.GetParameters().Select(p => Value(p.ParameterType)).ToArray());
            foreach (var property in t.GetProperties().Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            {
                if (property.PropertyType == typeof(string) || (property.GetValue(instance) is null && Value(property.PropertyType) is { } value && (property.PropertyType != t)))
                {
                    property.SetValue(instance, property.PropertyType == typeof(string) ? "x" : Value(property.PropertyType));
                }
            }
            return instance;
        }
    }
}
