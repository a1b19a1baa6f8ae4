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
/// a sound is heard on <see cref="MediaSession.MarkPlayed"/> of its last mark. Audio goes in 2 s chunks, queued up to
/// <see cref="AheadSeconds"/> ahead of what the caller has heard, so there is no gap (within one sound, and between
/// sounds queued one after another: the next step's audio waits behind the current one's instead of for its mark),
/// the session's queue stays small, and audio made as it plays (a tone) never exists whole in memory.
/// </summary>
internal sealed class AgentAudio : IDisposable
{
    // Long enough that marks are few (one per chunk), short enough that the session's queue and a tone's buffer stay small.
    private const int ChunkSeconds = 2;
    // Unheard audio kept queued: two chunks, so when the older one is heard the newer still has its length to cover the provider's mark round trip.
    private const int AheadSeconds = 2 * ChunkSeconds;
    // Audio not yet sent below which the next chunk is queued even before the older ones were confirmed: a second outlasts any mark round trip.
    private const int LowWaterSeconds = 1;

    private readonly MediaSession _session;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _pending = new(StringComparer.Ordinal);
    private readonly Queue<Unheard> _unheard = new(); // the caller of QueueAsync's flow only
    private readonly string _prefix = "wf-" + Guid.NewGuid().ToString("N")[..8] + "-";
    private long _unheardSamples;
    private Task<bool> _tail = Heard;
    private int _next;
    private int _sound;

    public AgentAudio(MediaSession session)
    {
        _session = session;
        session.MarkPlayed += OnPlayed;
        session.MarkCleared += OnCleared;
    }

    /// <summary>True once all of it was played; false when it was cleared first (barge-in).</summary>
    public Task<bool> PlayAsync(ReadOnlyMemory<short> pcm, CancellationToken ct) => PlayAsync(pcm.Length, Copy(pcm), ct);

    /// <summary>Plays <paramref name="totalSamples"/> samples made by <paramref name="write"/> one chunk at a time.</summary>
    public async Task<bool> PlayAsync(long totalSamples, AudioWriter write, CancellationToken ct) =>
        await (await QueueAsync(totalSamples, write, ct)).WaitAsync(ct);

    /// <summary><see cref="QueueAsync(long, AudioWriter, CancellationToken)"/> of samples already made.</summary>
    public Task<Task<bool>> QueueAsync(ReadOnlyMemory<short> pcm, CancellationToken ct) => QueueAsync(pcm.Length, Copy(pcm), ct);

    /// <summary>
    /// Queues a sound behind whatever audio is queued, and returns once its last chunk is queued: with a task that is
    /// true once the caller heard all of it, false when it was cleared first. Waits only to keep at most
    /// <see cref="AheadSeconds"/> of unheard audio queued, and not once less than <see cref="LowWaterSeconds"/> is left
    /// to send. A sound whose audio is cleared while it is being queued stops there (its task is false).
    /// </summary>
    public async Task<Task<bool>> QueueAsync(long totalSamples, AudioWriter write, CancellationToken ct)
    {
        if (totalSamples <= 0) return Heard;
        int chunk = _session.SampleRate * ChunkSeconds;
        long ahead = (long)_session.SampleRate * AheadSeconds;
        int lowWater = _session.SampleRate * LowWaterSeconds;
        var sound = ++_sound;
        var buffer = ArrayPool<short>.Shared.Rent((int)Math.Min(chunk, totalSamples));
        try
        {
            Task<bool> last = Heard;
            for (long offset = 0; offset < totalSamples; offset += chunk)
            {
                int length = (int)Math.Min(chunk, totalSamples - offset);
                while (_unheard.TryPeek(out var oldest) && (oldest.Played.IsCompleted || _unheardSamples + length > ahead))
                {
                    if (!oldest.Played.IsCompleted)
                    {
                        // Also go on once the audio still to send runs low: a late or lost confirmation must not starve the caller.
                        int unsent = _session.QueuedAgentSamples;
                        if (unsent <= lowWater) break;
                        await Task.WhenAny(oldest.Played, Task.Delay(TimeSpan.FromSeconds((double)(unsent - lowWater) / _session.SampleRate), ct));
                        ct.ThrowIfCancellationRequested();
                        continue;
                    }
                    var heard = await oldest.Played;
                    _unheard.Dequeue();
                    _unheardSamples -= oldest.Samples;
                    if (!heard && oldest.Sound == sound) return Cleared;
                }
                var piece = buffer.AsSpan(0, length);
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
                _unheard.Enqueue(new Unheard(played.Task, length, sound));
                _unheardSamples += length;
                last = _tail = played.Task;
            }
            return last;
        }
        finally
        {
            ArrayPool<short>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Completes once everything queued so far was heard or cleared: true when the last of it was heard (or nothing
    /// was queued).
    /// </summary>
    public async Task<bool> HeardAsync(CancellationToken ct)
    {
        var heard = true;
        while (_unheard.TryDequeue(out var oldest))
        {
            _unheardSamples -= oldest.Samples;
            heard = await oldest.Played.WaitAsync(ct);
        }
        return heard;
    }

    /// <summary>Completes when the audio queued so far was heard (true) or cleared (false); without waiting for it.</summary>
    public Task<bool> Queued => _tail;

    /// <summary>Silence, for a pause that keeps its place in the queue.</summary>
    public static readonly AudioWriter Silence = static (destination, _) => destination.Clear();

    private static readonly Task<bool> Heard = Task.FromResult(true);
    private static readonly Task<bool> Cleared = Task.FromResult(false);

    private static AudioWriter Copy(ReadOnlyMemory<short> pcm) =>
        (destination, offset) => pcm.Span.Slice((int)offset, destination.Length).CopyTo(destination);

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

    /// <summary>A chunk queued and not yet heard, of which sound (a count of <see cref="QueueAsync(long, AudioWriter, CancellationToken)"/> calls).</summary>
    private readonly record struct Unheard(Task<bool> Played, int Samples, int Sound);
}
