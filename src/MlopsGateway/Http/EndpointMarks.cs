using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Refit;

namespace MlopsGateway.Http;

/// <summary>
/// How the handler chain may treat one request: its retry rule, statuses that are final, whether it carries
/// credentials, and whether its answer is streamed to the caller (a download, a streamed list) rather than read whole.
/// </summary>
internal readonly record struct EndpointMarks(EndpointRetry Retry, IReadOnlyList<int> PermanentStatuses, bool Anonymous, bool StreamsAnswer = false)
{
    public static readonly EndpointMarks ByMethod = new(EndpointRetry.ByMethod, [], false);

    public bool IsPermanent(int status)
    {
        foreach (var permanent in PermanentStatuses)
        {
            if (permanent == status)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The retry rule of an endpoint.</summary>
internal enum EndpointRetry
{
    /// <summary>GET, HEAD, PUT, DELETE and OPTIONS are re-sent; POST and PATCH only when they never left the client.</summary>
    ByMethod,
    /// <summary>Re-sent like a GET (<see cref="IdempotentAttribute"/>).</summary>
    Idempotent,
    /// <summary>Never re-sent once it may have reached the server (<see cref="NotRetryableAttribute"/>).</summary>
    NotRetryable,
}

/// <summary>
/// Reads the endpoint attributes of each Refit interface once, when an adapter creates its client, and finds
/// them again for a request from the interface type and method name Refit stores on every request it builds.
/// </summary>
internal static class EndpointMarkRegistry
{
    private static readonly ConcurrentDictionary<Type, FrozenDictionary<string, EndpointMarks>> s_byApi = new();
    private static readonly HttpRequestOptionsKey<Type> s_interfaceKey = new(HttpRequestMessageOptions.InterfaceType);
    private static readonly HttpRequestOptionsKey<string> s_methodKey = new(HttpRequestMessageOptions.MethodName);

    public static void Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] TApi>()
        => s_byApi.GetOrAdd(typeof(TApi), static _ => Read(typeof(TApi).GetMethods()));

    public static EndpointMarks For(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(s_interfaceKey, out var api)
            && request.Options.TryGetValue(s_methodKey, out var method)
            && s_byApi.TryGetValue(api, out var marks)
            && marks.TryGetValue(method, out var found))
        {
            return found;
        }
        return EndpointMarks.ByMethod;
    }

    private static FrozenDictionary<string, EndpointMarks> Read(MethodInfo[] methods)
    {
        var result = new Dictionary<string, EndpointMarks>(StringComparer.Ordinal);
        foreach (var method in methods)
        {
            var retry = method.IsDefined(typeof(NotRetryableAttribute), false) ? EndpointRetry.NotRetryable
                : method.IsDefined(typeof(IdempotentAttribute), false) ? EndpointRetry.Idempotent
                : EndpointRetry.ByMethod;
            var permanent = method.GetCustomAttribute<PermanentStatusAttribute>(false)?.Statuses ?? [];
            var marks = new EndpointMarks(retry, permanent, method.IsDefined(typeof(AnonymousAttribute), false), StreamsAnswer(method.ReturnType));
            // Refit identifies a request's method by name only, so overloads must agree on their marks.
            if (result.TryGetValue(method.Name, out var existing) && !Same(existing, marks))
            {
                throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name}: overloads carry different endpoint marks; give them distinct names.");
            }
            result[method.Name] = marks;
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static bool Same(EndpointMarks a, EndpointMarks b)
        => a.Retry == b.Retry && a.Anonymous == b.Anonymous && a.StreamsAnswer == b.StreamsAnswer && a.PermanentStatuses.SequenceEqual(b.PermanentStatuses);

    /// <summary>The answers Refit hands over unread: a stream, the response or content itself, an async sequence.</summary>
    private static bool StreamsAnswer(Type returnType)
    {
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            return true;
        }
        var answer = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetGenericArguments()[0] : null;
        return answer == typeof(Stream) || answer == typeof(HttpResponseMessage) || answer == typeof(HttpContent);
    }
}
