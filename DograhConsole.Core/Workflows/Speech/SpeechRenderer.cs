using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Workflows.Speech;

/// <summary>
/// What the say and gather steps call: speech at the call's sample rate, cached by engine, text, voice and rate.
/// The memory cache is bounded (<see cref="MaxMemoryBytes"/>, least recently used out first); every rendering is
/// also kept as a raw PCM16 file under <c>{data}/tts-cache/</c>, so a restart does not render again. Calls that ask
/// for the same speech while it is being rendered share that one rendering (hundreds of calls reaching their first
/// say step at once started one engine process each).
/// </summary>
public sealed class SpeechRenderer(ITextToSpeech engine, IOptions<DograhOptions> options, ILogger<SpeechRenderer> logger)
{
    /// <summary>About 17 minutes of 16 kHz speech (32 KB a second): the prompts in use stay in memory, the rest is read from disk.</summary>
    public const long MaxMemoryBytes = 32L * 1024 * 1024;
    public const string CacheFolder = "tts-cache";

    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, short[] Samples)> _recent = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, short[] Samples)>> _byKey = new(StringComparer.Ordinal);
    private long _memoryBytes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<short[]>>> _rendering = new(StringComparer.Ordinal);

    public ITextToSpeech Engine => engine;

    public Task<TextToSpeechStatus> GetStatusAsync(CancellationToken ct = default) => engine.GetStatusAsync(ct);

    /// <summary>Mono PCM16 at <paramref name="sampleRate"/>. Throws <see cref="TextToSpeechException"/> with the reason when it cannot.</summary>
    public async Task<short[]> RenderAsync(string text, string? voice, int sampleRate, CancellationToken ct = default)
    {
        var key = Key(text, voice, sampleRate);
        if (FromMemory(key) is { } cached) return cached;

        // Shared, so not canceled by one caller that gives up (its call ended): the others still want it.
        var rendering = _rendering.GetOrAdd(key, k => new Lazy<Task<short[]>>(() => LoadOrRenderAsync(k, text, voice, sampleRate)));
        try
        {
            return await rendering.Value.WaitAsync(ct);
        }
        finally
        {
            if (rendering.Value.IsCompleted) _rendering.TryRemove(new KeyValuePair<string, Lazy<Task<short[]>>>(key, rendering));
        }
    }

    private async Task<short[]> LoadOrRenderAsync(string key, string text, string? voice, int sampleRate)
    {
        var file = Path.Combine(options.Value.ResolveDataDirectory(), CacheFolder, key + ".pcm");
        if (File.Exists(file))
        {
            try
            {
                var bytes = await File.ReadAllBytesAsync(file);
                var stored = new short[bytes.Length / 2];
                Pcm16.BytesToSamples(bytes, stored);
                Remember(key, stored);
                return stored;
            }
            catch (IOException e)
            {
                logger.LogWarning(e, "Speech cache file {File} unreadable; rendering again", file);
            }
        }

        var speech = await engine.SynthesizeAsync(text, voice, CancellationToken.None);
        var samples = RationalResampler.Resample(speech.Samples, speech.SampleRate, sampleRate);
        Remember(key, samples);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var bytes = new byte[samples.Length * 2];
            Pcm16.SamplesToBytes(samples, bytes);
            var temporary = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temporary, bytes, CancellationToken.None);
            File.Move(temporary, file, overwrite: true);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Speech cache file {File} not written", file);
        }
        return samples;
    }

    /// <summary>Renderings held in memory now.</summary>
    public int MemoryEntries
    {
        get { lock (_gate) return _byKey.Count; }
    }

    private string Key(string text, string? voice, int rate)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{engine.Engine}\n{voice}\n{rate}\n{text}"));
        return Convert.ToHexStringLower(hash);
    }

    private short[]? FromMemory(string key)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var node)) return null;
            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value.Samples;
        }
    }

    private void Remember(string key, short[] samples)
    {
        long size = samples.Length * 2L;
        if (size > MaxMemoryBytes / 4) return; // a very long text stays on disk only
        lock (_gate)
        {
            if (_byKey.ContainsKey(key)) return;
            _byKey[key] = _recent.AddFirst((key, samples));
            _memoryBytes += size;
            while (_memoryBytes > MaxMemoryBytes && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _byKey.Remove(oldest.Value.Key);
                _memoryBytes -= oldest.Value.Samples.Length * 2L;
            }
        }
    }
}
