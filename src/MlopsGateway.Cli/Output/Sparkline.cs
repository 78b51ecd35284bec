using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlopsGateway.Cli;

/// <summary>A one-line chart of a metric history (block characters), with its range and last value.</summary>
internal static class Sparkline
{
    private const string Blocks = "▁▂▃▄▅▆▇█";
    private const int Width = 60;

    /// <summary>The chart of <paramref name="points"/>; long histories are averaged into at most 60 columns.</summary>
    /// <param name="key">The metric name.</param>
    /// <param name="points">The history, in step order.</param>
    public static IRenderable Render(string key, IReadOnlyList<MetricPoint> points)
    {
        var finite = points.Select(p => p.Value).Where(double.IsFinite).ToList();
        if (finite.Count == 0)
        {
            return new Text($"{key}: no finite values to chart");
        }
        var columns = Buckets(finite);
        var (min, max) = (finite.Min(), finite.Max());
        var chart = new string([.. columns.Select(v => max == min ? Blocks[Blocks.Length / 2] : Blocks[(int)Math.Round((v - min) / (max - min) * (Blocks.Length - 1))])]);
        return new Markup($"[bold]{Markup.Escape(key)}[/] [blue]{chart}[/]  min {Format.Number(min)} · max {Format.Number(max)} · last {Format.Number(points[^1].Value)} · {points.Count} points");
    }

    private static List<double> Buckets(List<double> values)
    {
        if (values.Count <= Width)
        {
            return values;
        }
        var buckets = new List<double>(Width);
        for (var i = 0; i < Width; i++)
        {
            var from = i * values.Count / Width;
            var to = (i + 1) * values.Count / Width;
            buckets.Add(values.Skip(from).Take(Math.Max(1, to - from)).Average());
        }
        return buckets;
    }
}
