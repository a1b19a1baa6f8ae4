using System.Runtime.InteropServices;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// Sets the calling thread's nice value on Linux, for that thread alone (Linux schedules threads one by one, so
/// setpriority on a thread id touches only that thread). .NET's <see cref="Thread.Priority"/> has no effect on Linux.
/// A negative value needs CAP_SYS_NICE (root, or the capability granted to the service).
/// </summary>
internal static class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>True when set; otherwise <paramref name="problem"/> says why (the thread keeps its priority).</summary>
    public static bool TrySet(int nice, out string? problem)
    {
        if (!OperatingSystem.IsLinux())
        {
            problem = "thread priority is only set on Linux";
            return false;
        }

        try
        {
            if (setpriority(PrioProcess, gettid(), nice) == 0)
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

    /// <summary>The calling thread's nice value, or null where it cannot be read.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux()) return null;
        Marshal.SetLastPInvokeError(0);
        var value = getpriority(PrioProcess, gettid());
        return value == -1 && Marshal.GetLastPInvokeError() != 0 ? null : value;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int getpriority(int which, int who);

    [DllImport("libc")]
    private static extern int gettid();
}
