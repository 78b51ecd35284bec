using System.Text;

namespace MlopsGateway.Local.Storage;

/// <summary>A <see cref="TextWriter"/> that stores every completed line of a task attempt's log as a row, at once (so readers can tail it). Thread-safe.</summary>
internal sealed class TaskLogWriter(LocalStore store, string runId, string taskId, int attempt) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly object _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        string? complete = null;
        lock (_gate)
        {
            if (value == '\n')
            {
                complete = TakeLine();
            }
            else
            {
                _line.Append(value);
            }
        }
        if (complete is not null)
        {
            Append(complete);
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        var lines = new List<string>();
        lock (_gate)
        {
            foreach (var ch in value)
            {
                if (ch == '\n')
                {
                    lines.Add(TakeLine());
                }
                else
                {
                    _line.Append(ch);
                }
            }
        }
        foreach (var line in lines)
        {
            Append(line);
        }
    }

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <summary>Stores a trailing partial line, if any.</summary>
    public override void Flush()
    {
        string? rest = null;
        lock (_gate)
        {
            if (_line.Length > 0)
            {
                rest = TakeLine();
            }
        }
        if (rest is not null)
        {
            Append(rest);
        }
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    private string TakeLine()
    {
        var line = _line.ToString().TrimEnd('\r');
        _line.Clear();
        return line;
    }

    private void Append(string line) => store.Write((c, t) => LocalStore.Execute(c, t,
        "INSERT INTO task_logs (run_id, task_id, attempt, line) VALUES (@run, @task, @attempt, @line);",
        ("@run", runId), ("@task", taskId), ("@attempt", attempt), ("@line", line)));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }
        base.Dispose(disposing);
    }
}
