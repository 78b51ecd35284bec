using System.Reflection;

namespace MlopsGateway.Cli.Tests;

/// <summary>The copier sends metric histories in batches of exactly the target's limit.</summary>
public sealed class RunCopierTests
{
    [Fact]
    public async Task Metric_histories_are_sent_in_batches_at_the_target_limit()
    {
        using var workspace = new Workspace("local", "archive");
        await using var source = workspace.Open();
        var run = await Seed.RunAsync(source, "mnist", "long", accuracy: 0.9, points: 20); // 20 loss points + 1 accuracy
        await using var archive = workspace.Open("archive");
        var target = new LimitedBackend(archive, new BackendLimits { MaxMetricsPerBatch = 7, MaxParamsPerBatch = 1, MaxTagsPerBatch = 2 });
        var copier = new RunCopier(source, target);
        var (experiment, copies) = await copier.PrepareTargetAsync("mnist", default);
        copies.Should().BeEmpty();

        var result = await copier.CopyAsync(run, experiment, null, new Progress<CopyStep>(), default);

        result.MetricPoints.Should().Be(21);
        target.Batches.Where(b => b.Metrics.Count > 0).Select(b => b.Metrics.Count).Should().Equal(7, 7, 7);
        target.Batches.Where(b => b.Params.Count > 0).Select(b => b.Params.Count).Should().Equal(1, 1);
        target.Batches.Where(b => b.Tags.Count > 0).Should().OnlyContain(b => b.Tags.Count <= 2);
        target.Batches.Should().OnlyContain(b => (b.Metrics.Count > 0 ? 1 : 0) + (b.Params.Count > 0 ? 1 : 0) + (b.Tags.Count > 0 ? 1 : 0) == 1);
    }

    /// <summary>A backend that declares other limits and records every log batch it forwards.</summary>
    private sealed class LimitedBackend : IMlopsBackend
    {
        private readonly IMlopsBackend inner;
        private readonly IRunClient _runs;

        public LimitedBackend(IMlopsBackend inner, BackendLimits limits)
        {
            this.inner = inner;
            _runs = RecordingRunClient.Wrap(inner.Runs, out var batches);
            Batches = batches;
            Capabilities = BackendCapabilities.Create(inner.Capabilities.Support.ToDictionary(), limits);
        }

        public List<RunLogBatch> Batches { get; }
        public string Name => inner.Name;
        public string Kind => inner.Kind;
        public BackendCapabilities Capabilities { get; }
        public IRunClient Runs => _runs;
        public IPipelineClient Pipelines => inner.Pipelines;
        public IModelRegistryClient Models => inner.Models;
        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);
        public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default) => inner.CheckHealthAsync(cancellationToken);
    }

    /// <summary>Forwards every call to the inner client, recording <see cref="IRunClient.LogBatchAsync"/> batches.</summary>
    public class RecordingRunClient : DispatchProxy
    {
        private IRunClient _inner = null!;
        private List<RunLogBatch> _batches = null!;

        public static IRunClient Wrap(IRunClient inner, out List<RunLogBatch> batches)
        {
            var proxy = Create<IRunClient, RecordingRunClient>();
            var recorder = (RecordingRunClient)(object)proxy;
            recorder._inner = inner;
            recorder._batches = batches = [];
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IRunClient.LogBatchAsync))
            {
                lock (_batches)
                {
                    _batches.Add((RunLogBatch)args![1]!);
                }
            }
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
