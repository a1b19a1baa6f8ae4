using System.Diagnostics;
using DograhConsole.Core.Media.Codecs;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Workflows.Speech;

/// <summary>
/// espeak-ng (the Debian package <c>espeak-ng</c>; run.sh and test.sh install it) run as a process with an argument
/// list, never through a shell: <c>espeak-ng --stdout -v VOICE -- TEXT</c>. Its WAV output (22050 Hz mono) is parsed
/// from the pipe.
/// </summary>
public sealed class EspeakNgTextToSpeech(ILogger<EspeakNgTextToSpeech> logger) : ITextToSpeech
{
    public const string DefaultExecutable = "espeak-ng";
    public const string NotInstalled = "The text-to-speech engine is not installed: install the Debian package espeak-ng (run.sh does it).";
    /// <summary>Far more than espeak-ng needs for the longest say text; ends a hung process instead of holding the call.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    // Over 20 minutes of its 22050 Hz 16-bit output, several times the longest say text; bounds a runaway process's output.
    private const int MaxOutputBytes = 64 * 1024 * 1024;

    private Task<TextToSpeechStatus>? _status;

    /// <summary>The program to run; tests point it at a missing one.</summary>
    public string Executable { get; init; } = DefaultExecutable;

    public string Engine => "espeak-ng";

    public Task<TextToSpeechStatus> GetStatusAsync(CancellationToken ct = default) => _status ??= ProbeAsync();

    public async Task<SpeechAudio> SynthesizeAsync(string text, string? voice, CancellationToken ct = default)
    {
        var status = await GetStatusAsync(ct);
        if (!status.Available) throw new TextToSpeechException(status.Problem ?? NotInstalled);
        if (voice is not null && (voice.Length == 0 || voice.StartsWith('-') || !voice.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/')))
            throw new TextToSpeechException($"'{voice}' is not an espeak-ng voice name (like en, en-us or en+f3).");

        var arguments = new List<string> { "--stdout" };
        if (voice is not null) arguments.AddRange(["-v", voice]);
        arguments.Add("--");
        arguments.Add(text);
        var (exit, output, error) = await RunAsync(arguments, ct);
        if (exit != 0)
            throw new TextToSpeechException($"espeak-ng failed (exit {exit}): {Trim(error)}");
        if (!WavFile.TryRead(output, out var audio, out var problem, streamed: true))
            throw new TextToSpeechException($"espeak-ng gave no usable audio: {problem} {Trim(error)}".Trim());
        return new SpeechAudio(audio!.SampleRate, audio.Samples);
    }

    private async Task<TextToSpeechStatus> ProbeAsync()
    {
        try
        {
            var (exit, _, error) = await RunAsync(["--version"], CancellationToken.None);
            if (exit == 0) return new TextToSpeechStatus(true, Engine, null);
            logger.LogWarning("espeak-ng --version exited with {Exit}: {Error}", exit, Trim(error));
            return new TextToSpeechStatus(false, Engine, $"The text-to-speech engine does not run (espeak-ng exit {exit}).");
        }
        catch (TextToSpeechException e)
        {
            logger.LogWarning("Text-to-speech unavailable: {Problem}", e.Message);
            return new TextToSpeechStatus(false, Engine, e.Message);
        }
    }

    private async Task<(int Exit, byte[] Output, string Error)> RunAsync(IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new TextToSpeechException(NotInstalled);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new TextToSpeechException(NotInstalled);
        }
        using (process)
        {
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            try
            {
                using var buffer = new MemoryStream();
                var copy = CopyBoundedAsync(process.StandardOutput.BaseStream, buffer, timeout.Token);
                var error = process.StandardError.ReadToEndAsync(timeout.Token);
                await copy;
                await process.WaitForExitAsync(timeout.Token);
                return (process.ExitCode, buffer.ToArray(), await error);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                ct.ThrowIfCancellationRequested();
                throw new TextToSpeechException($"espeak-ng did not finish within {Timeout.TotalSeconds:0} s.");
            }
        }
    }

    private static async Task CopyBoundedAsync(Stream source, MemoryStream destination, CancellationToken ct)
    {
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            if (destination.Length + read > MaxOutputBytes) throw new TextToSpeechException("espeak-ng produced more audio than a say step may hold.");
            destination.Write(chunk, 0, read);
        }
    }

    private static string Trim(string text) => text.Length > 300 ? text[..300] : text.Trim();
}
