namespace Samples.Quickstart;

/// <summary>A labelled data set: two features per sample, label 0 or 1.</summary>
internal sealed class Dataset(double[][] features, int[] labels)
{
    public double[][] Features { get; } = features;
    public int[] Labels { get; } = labels;
    public int Count => Labels.Length;

    /// <summary>Samples from a known logistic model (w = [2, -3], b = 0.5) with a seeded generator, so every run sees the same data.</summary>
    public static Dataset Generate(int samples, int seed)
    {
        var random = new Random(seed);
        var features = new double[samples][];
        var labels = new int[samples];
        for (var i = 0; i < samples; i++)
        {
            var x = new[] { random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2 };
            var p = LogisticRegression.Sigmoid(2 * x[0] - 3 * x[1] + 0.5);
            features[i] = x;
            labels[i] = random.NextDouble() < p ? 1 : 0;
        }
        return new Dataset(features, labels);
    }

    public (Dataset Train, Dataset Test) Split(double trainShare)
    {
        var cut = (int)(Count * trainShare);
        return (new Dataset(Features[..cut], Labels[..cut]), new Dataset(Features[cut..], Labels[cut..]));
    }
}

/// <summary>Logistic regression trained by full-batch gradient descent on the log loss.</summary>
internal sealed class LogisticRegression(int features)
{
    private readonly double[] _w = new double[features + 1]; // last entry is the bias

    public double[] Weights => (double[])_w.Clone();

    public static LogisticRegression From(double[] weights)
    {
        var model = new LogisticRegression(weights.Length - 1);
        weights.CopyTo(model._w, 0);
        return model;
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    public double Predict(double[] x)
    {
        var z = _w[^1];
        for (var j = 0; j < x.Length; j++)
        {
            z += _w[j] * x[j];
        }
        return Sigmoid(z);
    }

    /// <summary>One gradient-descent step over the whole set; returns the mean log loss before the step.</summary>
    public double GradientStep(Dataset data, double learningRate)
    {
        var gradient = new double[_w.Length];
        var loss = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            var p = Predict(data.Features[i]);
            var error = p - data.Labels[i];
            for (var j = 0; j < data.Features[i].Length; j++)
            {
                gradient[j] += error * data.Features[i][j];
            }
            gradient[^1] += error;
            loss -= data.Labels[i] == 1 ? Math.Log(Math.Max(p, 1e-12)) : Math.Log(Math.Max(1 - p, 1e-12));
        }
        for (var j = 0; j < _w.Length; j++)
        {
            _w[j] -= learningRate * gradient[j] / data.Count;
        }
        return loss / data.Count;
    }

    public double Accuracy(Dataset data)
    {
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            correct += (Predict(data.Features[i]) >= 0.5 ? 1 : 0) == data.Labels[i] ? 1 : 0;
        }
        return (double)correct / data.Count;
    }
}
