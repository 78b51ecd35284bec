using System.Diagnostics;

namespace MlopsGateway.Local.Storage;

/// <summary>
/// Who owns the runs a Local backend instance creates: a fresh instance id plus the process id and the
/// process start time. A database opened later marks non-terminal runs Failed only when their owner's
/// process is gone — the pid no longer exists, or it exists with another start time (the pid was
/// reused). A second live instance (another process, or another backend in this process) therefore never
/// fails the first one's runs. This is a host-local check, which is sound because SQLite's WAL mode
/// requires every process using the file to run on the same host.
/// </summary>
/// <param name="InstanceId">Unique per opened backend.</param>
/// <param name="ProcessId">The owning process id.</param>
/// <param name="ProcessStartTicks">The owning process's start time, UTC ticks.</param>
internal sealed record OwnerIdentity(string InstanceId, int ProcessId, long ProcessStartTicks)
{
    /// <summary>Tolerance when comparing start times read at different moments (clock-tick rounding).</summary>
    private static readonly long s_tolerance = TimeSpan.FromSeconds(1).Ticks;

    /// <summary>The identity of a new backend instance in the current process.</summary>
    public static OwnerIdentity ForCurrentProcess()
    {
        using var process = Process.GetCurrentProcess();
        return new OwnerIdentity(Guid.NewGuid().ToString("N"), process.Id, process.StartTime.ToUniversalTime().Ticks);
    }

    /// <summary>Whether the process that recorded <paramref name="processId"/> and <paramref name="processStartTicks"/> still runs.</summary>
    public static bool IsProcessAlive(int processId, long processStartTicks)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            if (process.HasExited)
            {
                return false;
            }
            var started = process.StartTime.ToUniversalTime().Ticks;
            return Math.Abs(started - processStartTicks) <= s_tolerance;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false; // exited while we looked
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return true; // exists but we may not inspect it: assume alive rather than fail its runs
        }
    }
}
