using System.Runtime.InteropServices;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// The calling thread's scheduling on Linux, for that thread alone (Linux schedules threads one by one, so
/// setpriority and sched_setscheduler on a thread id touch only that thread). .NET's <see cref="Thread.Priority"/>
/// has no effect on Linux. A negative nice value or a real-time policy needs CAP_SYS_NICE (root, or the capability
/// granted to the service).
/// </summary>
internal static class ThreadScheduling
{
    // From Linux's <sys/resource.h> (PRIO_PROCESS) and <sched.h> (SCHED_FIFO, SCHED_RR).
    private const int PrioProcess = 0;
    private const int SchedFifo = 1;
    private const int SchedRoundRobin = 2;

    /// <summary>True when set; otherwise <paramref name="problem"/> says why (the thread keeps its priority).</summary>
    public static bool TrySetNice(int nice, out string? problem) =>
        TryLinux(() => setpriority(PrioProcess, gettid(), nice) == 0, out problem);

    /// <summary>
    /// SCHED_FIFO at <paramref name="priority"/> (1-99): the thread runs whenever it is ready, ahead of every normal
    /// thread, until it blocks. True when set; otherwise <paramref name="problem"/> says why.
    /// </summary>
    public static bool TrySetRealtime(int priority, out string? problem) =>
        TryLinux(() => sched_setscheduler(gettid(), SchedFifo, ref priority) == 0, out problem);

    /// <summary>The calling thread's nice value, or null where it cannot be read.</summary>
    public static int? CurrentNice()
    {
        if (!OperatingSystem.IsLinux()) return null;
        Marshal.SetLastPInvokeError(0);
        var value = getpriority(PrioProcess, gettid());
        return value == -1 && Marshal.GetLastPInvokeError() != 0 ? null : value;
    }

    /// <summary>The calling thread's real-time priority (0 under the normal policy), or null where it cannot be read.</summary>
    public static int? CurrentRealtimePriority()
    {
        if (!OperatingSystem.IsLinux()) return null;
        int tid = gettid();
        int policy = sched_getscheduler(tid);
        if (policy is not (SchedFifo or SchedRoundRobin)) return policy < 0 ? null : 0;
        int priority = 0;
        return sched_getparam(tid, ref priority) == 0 ? priority : null;
    }

    private static bool TryLinux(Func<bool> call, out string? problem)
    {
        if (!OperatingSystem.IsLinux())
        {
            problem = "thread scheduling is only set on Linux";
            return false;
        }

        try
        {
            if (call())
            {
                problem = null;
                return true;
            }

            problem = Marshal.GetLastPInvokeErrorMessage();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            problem = e.Message;
        }

        return false;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int getpriority(int which, int who);

    // struct sched_param is a single int (sched_priority).
    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int param);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getscheduler(int pid);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getparam(int pid, ref int param);

    [DllImport("libc")]
    private static extern int gettid();
}
