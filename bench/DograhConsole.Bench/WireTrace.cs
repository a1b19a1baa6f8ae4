using System.Diagnostics;
using System.Globalization;

namespace DograhConsole.Bench;

/// <summary>Outbound pacing as the kernel saw the server send it: per call, the spacing of its media frames' send calls.</summary>
internal sealed record WirePacing(long Frames, long SharedSends, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Records the server's send(2) calls over the window with <c>perf record -e syscalls:sys_enter_sendto</c> (Debian
/// package linux-perf; needs root or CAP_PERFMON) and measures each socket's frame spacing from the kernel's
/// timestamps. The load client shares the machine, so the gaps it observes include its own scheduling delays (two
/// frames read in one go show as a 20 ms error); the send calls show what the server did. On each socket, sends of
/// 150 bytes or more are media (a Twilio media message is about 300 bytes, marks about 100) and the socket's most
/// common length is one frame: a send of twice that carried two frames at once, and counts as a 0 ms gap.
/// </summary>
internal sealed class WireTrace
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    private const int MinMediaBytes = 150;
    private readonly Process _perf;
    private readonly string _file;

    private WireTrace(Process perf, string file)
    {
        _perf = perf;
        _file = file;
    }

    /// <summary>Starts recording <paramref name="pid"/>'s send calls for <paramref name="duration"/>; null (and why) when perf cannot.</summary>
    public static WireTrace? Start(int pid, TimeSpan duration, out string? unavailable)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dograh-bench-sends-{pid}.data");
        var start = new ProcessStartInfo("perf") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "record", "-q", "-e", "syscalls:sys_enter_sendto", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file, "--", "sleep", duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        try
        {
            var perf = Process.Start(start)!;
            unavailable = null;
            return new WireTrace(perf, file);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            unavailable = $"perf not found ({e.Message}); apt-get install -y linux-perf";
            return null;
        }
    }

    /// <summary>Waits for the recording to end and measures it; null (and why) when perf failed.</summary>
    public async Task<(WirePacing? Pacing, string? Problem)> MeasureAsync()
    {
        try
        {
            string recordErrors = await _perf.StandardError.ReadToEndAsync();
            await _perf.WaitForExitAsync();
            if (_perf.ExitCode != 0 || !File.Exists(_file)) return (null, $"perf record failed: {recordErrors.Trim()}");

            var script = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "script", "-i", _file, "-F", "time,trace" }) script.ArgumentList.Add(arg);
            using var reader = Process.Start(script)!;
            _ = reader.StandardError.ReadToEndAsync();
            var sends = new Dictionary<int, List<(double Seconds, int Length)>>();
            while (await reader.StandardOutput.ReadLineAsync() is { } line)
            {
                if (TryParse(line, out double seconds, out int fd, out int length) && length >= MinMediaBytes)
                {
                    if (!sends.TryGetValue(fd, out var list)) sends[fd] = list = [];
                    list.Add((seconds, length));
                }
            }

            await reader.WaitForExitAsync();
            return (Measure(sends), null);
        }
        finally
        {
            _perf.Dispose();
            File.Delete(_file);
        }
    }

    private static WirePacing Measure(Dictionary<int, List<(double Seconds, int Length)>> sends)
    {
        var errors = new PacingHistogram();
        long frames = 0, shared = 0;
        foreach (var socket in sends.Values)
        {
            int frame = socket.GroupBy(s => s.Length).MaxBy(g => g.Count())!.Key;
            double? last = null;
            foreach (var (seconds, length) in socket)
            {
                int carried = Math.Max(1, (int)Math.Round(length / (double)frame));
                frames += carried;
                if (carried > 1) shared++;
                if (last is { } previous) errors.Add(Math.Abs(((seconds - previous) * 1000) - 20));
                for (int i = 1; i < carried; i++) errors.Add(20);
                last = seconds;
            }
        }

        return new WirePacing(frames, shared, errors.Percentile(0.50), errors.Percentile(0.99), errors.Percentile(1.0));
    }

    // "  29451.399011:  syscalls:sys_enter_sendto: fd: 0x000005a8, buff: 0x7f9d42a42500, len: 0x00000135, flags: ..."
    private static bool TryParse(string line, out double seconds, out int fd, out int length)
    {
        seconds = 0;
        fd = length = 0;
        var span = line.AsSpan().TrimStart();
        int colon = span.IndexOf(':');
        if (colon < 0 || !double.TryParse(span[..colon], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)) return false;
        return TryHex(span, "fd: 0x", out fd) && TryHex(span, "len: 0x", out length);
    }

    private static bool TryHex(ReadOnlySpan<char> line, string label, out int value)
    {
        value = 0;
        int at = line.IndexOf(label, StringComparison.Ordinal);
        if (at < 0) return false;
        var digits = line[(at + label.Length)..];
        int end = digits.IndexOfAnyExcept(HexDigits);
        return int.TryParse(end < 0 ? digits : digits[..end], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }
}
