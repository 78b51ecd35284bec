namespace MlopsGateway.Local.Storage;

/// <summary>
/// Start-up recovery: registers the opening instance, then marks Failed every Queued or Running run
/// whose owner is not a live instance (its process exited or its pid now belongs to another process),
/// with a <c>mlops.local.failure</c> tag saying why. Data the dead process committed stays as it was.
/// </summary>
internal static class Recovery
{
    public const string FailureTag = "mlops.local.failure";

    public static int Run(LocalStore store, OwnerIdentity self, DateTimeOffset now)
    {
        var nowMs = EpochTime.ToMilliseconds(now);
        return store.Write((c, t) =>
        {
            var instances = LocalStore.Query(c, t, "SELECT id, pid, process_start FROM instances;",
                r => (Id: r.GetString(0), Pid: r.GetInt32(1), Start: r.GetInt64(2)));
            var dead = instances.Where(i => !OwnerIdentity.IsProcessAlive(i.Pid, i.Start)).ToList();
            foreach (var instance in dead)
            {
                LocalStore.Execute(c, t, "DELETE FROM instances WHERE id = @id;", ("@id", instance.Id));
            }
            LocalStore.Execute(c, t, "INSERT INTO instances (id, pid, process_start, opened_at) VALUES (@id, @pid, @start, @now);",
                ("@id", self.InstanceId), ("@pid", self.ProcessId), ("@start", self.ProcessStartTicks), ("@now", nowMs));

            var orphans = LocalStore.Query(c, t,
                "SELECT r.id, r.owner FROM runs r WHERE r.status IN (@queued, @running) AND (r.owner IS NULL OR r.owner NOT IN (SELECT id FROM instances));",
                r => (Id: r.GetString(0), Owner: r.IsDBNull(1) ? null : r.GetString(1)),
                ("@queued", (int)RunStatus.Queued), ("@running", (int)RunStatus.Running));
            foreach (var (id, owner) in orphans)
            {
                var pid = dead.FirstOrDefault(d => d.Id == owner).Pid;
                var reason = pid != 0
                    ? $"The process that owned this run (pid {pid}) exited before the run ended."
                    : "The backend instance that owned this run is gone; the run never ended.";
                LocalStore.Execute(c, t,
                    "UPDATE runs SET status = @failed, raw_status = 'failed', end_time = @now WHERE id = @id;",
                    ("@failed", (int)RunStatus.Failed), ("@now", nowMs), ("@id", id));
                LocalStore.Execute(c, t,
                    "INSERT INTO run_tags (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
                    ("@id", id), ("@key", FailureTag), ("@value", reason));
                LocalStore.Execute(c, t,
                    "UPDATE task_runs SET status = CASE status WHEN @running THEN @failed ELSE @skipped END, end_time = @now WHERE run_id = @id AND status IN (@queued, @running);",
                    ("@running", (int)RunStatus.Running), ("@failed", (int)RunStatus.Failed), ("@skipped", (int)RunStatus.Skipped),
                    ("@queued", (int)RunStatus.Queued), ("@now", nowMs), ("@id", id));
            }
            return orphans.Count;
        });
    }
}
