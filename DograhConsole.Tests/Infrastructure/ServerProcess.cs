using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// A database or cache server (PostgreSQL, Redis) the tests start on 127.0.0.1 from Debian's binaries. It runs under a
/// small shell watchdog that stops it once the test process is gone, so a crashed or killed test run leaves no server
/// behind, and removes its directory's files; <see cref="DisposeAsync"/> stops it at once. Started means its log said it is ready.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>How long a server may take to say it is ready: initdb and start-up take 1-3 s on a quiet 2-core machine.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Func<Task>? _stop;

    private ServerProcess(Process process, int port, Func<Task>? stop, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        Port = port;
        _stop = stop;
        Output = output;
    }

    public int Port { get; }

    /// <summary>Every line the server wrote (stdout and stderr), for a failing test's message.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Kills the server with SIGKILL, as a crashed machine would end it: no shutdown code runs. Returns once it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        await RunAsync("pkill", ["-KILL", "-P", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Starts <paramref name="command"/> (as <paramref name="user"/> when given: PostgreSQL refuses to run as root) and
    /// waits until a line of its output contains <paramref name="readyLine"/>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string name, int port, string readyLine, IReadOnlyList<string> command, string directory,
        string? user = null, Func<Task>? stop = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The watchdog checks once a second that the test process still exists (/proc works for any user), and removes
        // the server's files once it has stopped, however the test process ended.
        var watchdog = "\"$@\" & child=$!; trap 'kill -INT $child; wait $child; rm -rf \"$DIR\"/*; exit 0' TERM INT; "
            + $"while [ -d /proc/{Environment.ProcessId} ] && [ -d /proc/$child ]; do sleep 1; done; kill -INT $child 2>/dev/null; wait $child; rm -rf \"$DIR\"/*";
        watchdog = $"DIR='{directory}'; {watchdog}";
        var start = new ProcessStartInfo(user is null ? "sh" : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (user is not null) foreach (var arg in new[] { "-u", user, "--", "sh" }) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "-c", watchdog, "sh" }.Concat(command)) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (e.Data.Contains(readyLine, StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited before it was ready:\n{string.Join('\n', output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, port, stop, output);
        try
        {
            await ready.Task.WaitAsync(StartLimit);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"{name} did not say it was ready within {StartLimit.TotalSeconds:0} s:\n{string.Join('\n', output)}");
        }
        return server;
    }

    /// <summary>A port free on 127.0.0.1 just now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to its end and returns its output; throws with the output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string? user = null)
    {
        var start = new ProcessStartInfo(user is null ? file : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (user is not null) foreach (var arg in new[] { "-u", user, "--", file }) start.ArgumentList.Add(arg);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (_stop is not null) await _stop();
            else if (_process.Id > 0) await RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
