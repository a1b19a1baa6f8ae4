using System.Collections.Concurrent;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.Workflows.Runtime;

/// <summary>Thrown when a step cannot do its work; the runner records the message on the call and goes on.</summary>
public sealed class StepFailedException(string message) : Exception(message);

/// <summary>
/// Plays workflow audio on a session and learns when it was actually played: each chunk is followed by a mark, and
/// a play completes on <see cref="MediaSession.MarkPlayed"/> of its last mark. Long audio goes in 10 s chunks, the
/// next queued before the previous finishes, so there is no gap and the session's queue limit is never reached.
/// </summary>
internal sealed class AgentAudio : IDisposable
{
    private const int ChunkSeconds = 10;

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
    public async Task<bool> PlayAsync(ReadOnlyMemory<short> pcm, CancellationToken ct)
    {
        if (pcm.IsEmpty) return true;
        int chunk = _session.SampleRate * ChunkSeconds;
        Task<bool>? previous = null;
        for (int offset = 0; offset < pcm.Length; offset += chunk)
        {
            var piece = pcm.Slice(offset, Math.Min(chunk, pcm.Length - offset));
            var name = _prefix + Interlocked.Increment(ref _next);
            var played = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[name] = played;
            if (!_session.EnqueueAgentAudio(piece.Span))
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

    /// <summary>A sine at <paramref name="frequencyHz"/> at about -10 dBFS with 5 ms fades, so it starts and stops without clicks.</summary>
    public static short[] Tone(int sampleRate, int frequencyHz, int durationMs)
    {
        var samples = new short[(int)((long)sampleRate * durationMs / 1000)];
        int fade = Math.Min(sampleRate / 200, samples.Length / 2);
        const double amplitude = 0.3 * short.MaxValue;
        for (int i = 0; i < samples.Length; i++)
        {
            double gain = Math.Min(1.0, Math.Min(i, samples.Length - 1 - i) / (double)Math.Max(1, fade));
            samples[i] = (short)Math.Round(amplitude * gain * Math.Sin(2 * Math.PI * frequencyHz * i / sampleRate));
        }
        return samples;
    }
}
