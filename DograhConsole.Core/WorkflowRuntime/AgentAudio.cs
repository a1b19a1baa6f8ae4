using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>Thrown when a step cannot do its work; the runner records the message on the call and goes on.</summary>
public sealed class StepFailedException(string message) : Exception(message);

/// <summary>Writes the samples of a sound from sample <c>offset</c> on into <c>destination</c> (all of it).</summary>
internal delegate void AudioWriter(Span<short> destination, long offset);

/// <summary>
/// Plays workflow audio on a session and learns when it was actually played: each chunk is followed by a mark, and
/// a play completes on <see cref="MediaSession.MarkPlayed"/> of its last mark. Audio goes in 2 s chunks, the next
/// queued before the previous finishes, so there is no gap, the session's queue stays small, and audio made as it
/// plays (a tone) never exists whole in memory.
/// </summary>
internal sealed class AgentAudio : IDisposable
{
    // Long enough that marks are few (one per chunk), short enough that the session's queue and a tone's buffer stay small.
    private const int ChunkSeconds = 2;

    private readonly MediaSession _session;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _pending = new(StringComparer.Ordinal);
    private readonly string _prefix = "wf-" + Guid.NewGuid().ToString("N")[..8] + "-";
    private int _next;

    public AgentAudio(MediaSession session)
    {
        _session = session;
        session.MarkPlayed += OnPlayed;
        session.MarkCleared += OnCleared;
    }

    /// <summary>True once all of it was played; false when it was cleared first (barge-in).</summary>
    public Task<bool> PlayAsync(ReadOnlyMemory<short> pcm, CancellationToken ct) =>
        PlayAsync(pcm.Length, (destination, offset) => pcm.Span.Slice((int)offset, destination.Length).CopyTo(destination), ct);

    /// <summary>Plays <paramref name="totalSamples"/> samples made by <paramref name="write"/> one chunk at a time.</summary>
    public async Task<bool> PlayAsync(long totalSamples, AudioWriter write, CancellationToken ct)
    {
        if (totalSamples <= 0) return true;
        int chunk = _session.SampleRate * ChunkSeconds;
        var buffer = ArrayPool<short>.Shared.Rent((int)Math.Min(chunk, totalSamples));
        try
        {
            Task<bool>? previous = null;
            for (long offset = 0; offset < totalSamples; offset += chunk)
            {
                var piece = buffer.AsSpan(0, (int)Math.Min(chunk, totalSamples - offset));
                write(piece, offset);
                var name = _prefix + Interlocked.Increment(ref _next);
                var played = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending[name] = played;
                if (!_session.EnqueueAgentAudio(piece))
                {
                    _pending.TryRemove(name, out _);
                    throw new StepFailedException("the media session refused the audio (it closed, or its queue is full)");
                }
                _session.Mark(name);
                if (previous is not null && !await previous.WaitAsync(ct)) return false;
                previous = played.Task;
            }
            return await previous!.WaitAsync(ct);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(buffer);
        }
    }

    private void OnPlayed(string name)
    {
        if (_pending.TryRemove(name, out var played)) played.TrySetResult(true);
    }

    private void OnCleared(string name)
    {
        if (_pending.TryRemove(name, out var played)) played.TrySetResult(false);
    }

    public void Dispose()
    {
        _session.MarkPlayed -= OnPlayed;
        _session.MarkCleared -= OnCleared;
        foreach (var (_, played) in _pending) played.TrySetResult(false);
    }

    /// <summary>
    /// A sine at <paramref name="frequencyHz"/> at about -10 dBFS with 5 ms fades, so it starts and stops without
    /// clicks, made as it plays: <paramref name="totalSamples"/> is its length. A sine at a whole frequency repeats
    /// every sampleRate / gcd(frequency, sampleRate) samples, so one cycle is computed and copied, scaled in the
    /// fades (a sine per sample was 6% of the server's CPU at 1,000 calls).
    /// </summary>
    public static AudioWriter Tone(int sampleRate, int frequencyHz, int durationMs, out long totalSamples)
    {
        long length = (long)sampleRate * durationMs / 1000;
        totalSamples = length;
        long fade = Math.Min(sampleRate / 200, length / 2);
        double step = 2 * Math.PI * frequencyHz / sampleRate;
        const double amplitude = 0.3 * short.MaxValue;
        int period = sampleRate / (int)BigInteger.GreatestCommonDivisor(frequencyHz, sampleRate);
        var cycle = new short[period];
        for (int n = 0; n < period; n++) cycle[n] = (short)Math.Round(amplitude * Math.Sin(step * n));
        return (destination, offset) =>
        {
            int at = 0;
            while (at < destination.Length)
            {
                long n = offset + at;
                long fromEnd = length - 1 - n;
                if (n < fade || fromEnd < fade)
                {
                    double gain = Math.Min(n, fromEnd) / (double)Math.Max(1, fade);
                    destination[at++] = (short)Math.Round(gain * cycle[n % period]);
                    continue;
                }

                // Up to the fade-out or the end of the cycle, whichever comes first.
                int phase = (int)(n % period);
                int run = (int)Math.Min(Math.Min(destination.Length - at, period - phase), fromEnd - fade + 1);
                cycle.AsSpan(phase, run).CopyTo(destination[at..]);
                at += run;
            }
        };
    }
}
