using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlopsGateway.Local.Storage;

/// <summary>Reads runs (with params, tags and latest metrics) from the database into domain <see cref="Run"/>s.</summary>
internal static class RunRows
{
    public const string Columns = "r.seq, r.id, r.name, r.experiment_id, r.pipeline_id, r.pipeline_version, r.status, r.raw_status, r.start_time, r.end_time";

    /// <summary>The run row's internal sequence number, or null when there is no such run.</summary>
    public static long? FindSeq(SqliteConnection c, SqliteTransaction? t, string runId)
        => LocalStore.Scalar(c, t, "SELECT seq FROM runs WHERE id = @id;", ("@id", runId)) is long seq ? seq : null;

    public static Run? Find(SqliteConnection c, SqliteTransaction? t, string runId, string backend, ArtifactStore artifacts)
        => Query(c, t, $"SELECT {Columns} FROM runs r WHERE r.id = @id;", backend, artifacts, ("@id", runId)).FirstOrDefault();

    public static List<Run> Query(SqliteConnection c, SqliteTransaction? t, string sql, string backend, ArtifactStore artifacts, params (string, object?)[] parameters)
    {
        var rows = LocalStore.Query(c, t, sql, r => new Run
        {
            Backend = backend,
            Id = r.GetString(1),
            Name = r.IsDBNull(2) ? null : r.GetString(2),
            ExperimentId = r.IsDBNull(3) ? null : r.GetInt64(3).ToString(CultureInfo.InvariantCulture),
            PipelineId = r.IsDBNull(4) ? null : r.GetString(4),
            PipelineVersionId = r.IsDBNull(5) ? null : r.GetString(5),
            Status = (RunStatus)r.GetInt32(6),
            RawStatus = r.IsDBNull(7) ? null : r.GetString(7),
            StartTime = Time(r, 8),
            EndTime = Time(r, 9),
            ArtifactLocation = artifacts.RunDirectory(r.GetInt64(0)),
        }, parameters);
        for (var i = 0; i < rows.Count; i++)
        {
            var id = rows[i].Id;
            rows[i] = rows[i] with
            {
                Params = LocalStore.StringMap(c, t, "SELECT key, value FROM params WHERE run_id = @id ORDER BY key;", ("@id", id)),
                Tags = LocalStore.StringMap(c, t, "SELECT key, value FROM run_tags WHERE run_id = @id ORDER BY key;", ("@id", id)),
                Metrics = LatestMetrics(c, t, id),
            };
        }
        return rows;
    }

    private static Dictionary<string, double> LatestMetrics(SqliteConnection c, SqliteTransaction? t, string runId)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        using var command = LocalStore.Command(c, t, "SELECT key, value FROM latest_metrics WHERE run_id = @id ORDER BY key;", ("@id", runId));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            metrics[reader.GetString(0)] = reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1);
        }
        return metrics;
    }

    public static DateTimeOffset? Time(SqliteDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : EpochTime.FromMilliseconds(reader.GetInt64(ordinal));

    public static string Raw(RunStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Deletes a run's rows from every table (artifacts are the caller's).</summary>
    public static void Delete(SqliteConnection c, SqliteTransaction t, string runId)
    {
        foreach (var table in new[] { "params", "run_tags", "metrics", "latest_metrics", "task_runs", "task_logs" })
        {
            LocalStore.Execute(c, t, $"DELETE FROM {table} WHERE run_id = @id;", ("@id", runId));
        }
        LocalStore.Execute(c, t, "DELETE FROM runs WHERE id = @id;", ("@id", runId));
    }

    /// <summary>Upserts one tag.</summary>
    public static void SetTag(SqliteConnection c, SqliteTransaction t, string runId, string key, string value)
        => LocalStore.Execute(c, t,
            "INSERT INTO run_tags (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
            ("@id", runId), ("@key", key), ("@value", value));
}
