using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// One public operation in flight: its INTERNAL span (when anyone listens), its duration metric, and the
/// ambient backend/operation names the error mapper stamps on exceptions. <see cref="MlopsOperations"/> starts it.
/// </summary>
internal sealed class OperationScope : IDisposable
{
    private static readonly AsyncLocal<OperationScope?> s_current = new();
    private readonly OperationScope? _parent;
    private readonly long _started;
    private readonly TimeProvider _time;
    private string? _errorType;
    private bool _disposed;

    internal OperationScope(string operation, string backend, string kind, TimeProvider time, Activity? activity)
    {
        Operation = operation;
        Backend = backend;
        Kind = kind;
        Activity = activity;
        _time = time;
        _started = time.GetTimestamp();
        _parent = s_current.Value;
        s_current.Value = this;
    }

    /// <summary>The innermost operation on this async flow, if any.</summary>
    public static OperationScope? Current => s_current.Value;

    public string Operation { get; }
    public string Backend { get; }
    public string Kind { get; }
    public Activity? Activity { get; }

    /// <summary>
    /// Makes this operation current again on the calling flow. An async iterator resumes on its consumer's
    /// execution context at every step, so a streamed operation calls this before each step to keep its span the
    /// parent of every request it makes; the change stays inside the iterator's step and never reaches the consumer.
    /// </summary>
    public void Enter()
    {
        s_current.Value = this;
        if (Activity is not null)
        {
            Activity.Current = Activity;
        }
    }

    public void SetTag(string name, string? value)
    {
        if (value is not null)
        {
            Activity?.SetTag(name, value);
        }
    }

    /// <summary>Records the run, pipeline or model the operation is about (a struct, so naming it costs a traced call nothing).</summary>
    public void Name(OperationSubject subject)
    {
        SetTag(MlopsTelemetry.RunIdAttribute, subject.RunId);
        SetTag(MlopsTelemetry.PipelineIdAttribute, subject.PipelineId);
        SetTag(MlopsTelemetry.ModelNameAttribute, subject.ModelName);
    }

    /// <summary>Names the object an operation created or returned (a started run, a registered model) when the arguments did not.</summary>
    public void TagResult(object? result)
    {
        if (Activity is null)
        {
            return;
        }
        var (name, value) = result switch
        {
            Run run => (MlopsTelemetry.RunIdAttribute, run.Id),
            ActiveRun active => (MlopsTelemetry.RunIdAttribute, active.Id),
            Pipeline pipeline => (MlopsTelemetry.PipelineIdAttribute, pipeline.Id),
            RegisteredModel model => (MlopsTelemetry.ModelNameAttribute, model.Name),
            ModelVersion version => (MlopsTelemetry.ModelNameAttribute, version.ModelName),
            _ => (null, null),
        };
        if (name is not null && Activity.GetTagItem(name) is null)
        {
            SetTag(name, value);
        }
    }

    /// <summary>Records the failure on the span and stamps this backend and operation on a gateway exception that lacks them.</summary>
    public void Fail(Exception exception)
    {
        if (exception is MlopsException mlops)
        {
            mlops.AddContext(Backend, Operation);
        }
        _errorType = exception is OperationCanceledException ? "cancelled" : exception.GetType().Name;
        if (Activity is not null)
        {
            Activity.SetStatus(ActivityStatusCode.Error, exception is MlopsException ? exception.Message : exception.GetType().Name);
            Activity.SetTag(MlopsTelemetry.ErrorTypeAttribute, _errorType);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        s_current.Value = _parent;
        var elapsed = _time.GetElapsedTime(_started).TotalSeconds;
        var tags = new TagList
        {
            { MlopsTelemetry.BackendNameAttribute, Backend },
            { MlopsTelemetry.BackendKindAttribute, Kind },
            { MlopsTelemetry.OperationAttribute, Operation },
        };
        if (_errorType is not null)
        {
            tags.Add(MlopsTelemetry.ErrorTypeAttribute, _errorType);
        }
        MlopsTelemetry.OperationDuration.Record(elapsed, tags);
        Activity?.Dispose();
    }
}
