using System.Globalization;
using System.Text.Json;
using MlopsGateway;
using MlopsGateway.Local;

namespace Samples.Quickstart;

/// <summary>The two-step Local pipeline the Quickstart triggers: load the model an alias points at, then score it on a fresh holdout set.</summary>
internal static class Evaluation
{
    public static void Define(LocalPipelineBuilder pipeline)
    {
        pipeline.Description = "Loads the champion model and scores it on a holdout set.";
        double[] weights = [];
        pipeline.Step("load-champion", async (ctx, ct) =>
        {
            var model = ctx.Parameters["model"]!.GetValue<string>();
            var alias = ctx.Parameters["alias"]!.GetValue<string>();
            var version = await ctx.Backend.Models.GetVersionByAliasAsync(model, alias, ct);
            await using var file = await ctx.Backend.Models.DownloadVersionFileAsync(model, version.Version, "weights.json", ct);
            weights = await JsonSerializer.DeserializeAsync<double[]>(file, cancellationToken: ct) ?? [];
            ctx.Log.WriteLine($"loaded {model} version {version.Version} ('{alias}') with {weights.Length} weights");
        });
        pipeline.Step("score", async (ctx, ct) =>
        {
            var seed = ctx.Parameters["holdout_seed"]!.GetValue<int>();
            var holdout = Dataset.Generate(samples: 200, seed: seed);
            var accuracy = LogisticRegression.From(weights).Accuracy(holdout);
            await ctx.Backend.Runs.LogBatchAsync(ctx.Run, new RunLogBatch
            {
                Metrics = [new MetricPoint("holdout_accuracy", accuracy, DateTimeOffset.UtcNow)],
            }, ct);
            ctx.Log.WriteLine($"holdout accuracy {accuracy.ToString("F4", CultureInfo.InvariantCulture)} on {holdout.Count} samples (seed {seed})");
        });
    }
}
