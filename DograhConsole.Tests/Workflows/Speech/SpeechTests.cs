using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Workflows.Speech;
using DograhConsole.Tests.WorkflowRuntime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DograhConsole.Tests.Workflows.Speech;

/// <summary>espeak-ng for real (test.sh installs it), the cache, the missing-engine path, and the rational resampler.</summary>
[Trait("Category", "Unit")]
public sealed class SpeechTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "dograh-tests", "speech-" + Guid.NewGuid().ToString("N"));

    private SpeechRenderer Renderer(ITextToSpeech? engine = null) =>
        new(engine ?? new EspeakNgTextToSpeech(NullLogger<EspeakNgTextToSpeech>.Instance),
            Options.Create(new DograhOptions { DataDirectory = _data }), NullLogger<SpeechRenderer>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Espeak_ng_renders_the_same_speech_at_8_and_16_kHz()
    {
        var renderer = Renderer();
        Assert.True((await renderer.GetStatusAsync()).Available, "espeak-ng must be installed (test.sh installs it)");

        var narrow = await renderer.RenderAsync("Your call is important to us.", null, 8000);
        var wide = await renderer.RenderAsync("Your call is important to us.", null, 16000);

        Assert.InRange(narrow.Length / 8000.0, 1.0, 4.0);
        Assert.InRange(wide.Length, 2 * narrow.Length - 2, 2 * narrow.Length + 2);
        Assert.True(Pcm16.Rms(narrow) > 0.02 && Pcm16.Rms(wide) > 0.02);
    }

    [Fact]
    public async Task Renderings_are_cached_in_memory_and_on_disk_by_text_voice_and_rate()
    {
        var counting = new CountingEngine(new EspeakNgTextToSpeech(NullLogger<EspeakNgTextToSpeech>.Instance));
        var first = await Renderer(counting).RenderAsync("Hello again", "en-us", 8000);
        var again = await Renderer(counting).RenderAsync("Hello again", "en-us", 8000); // a new renderer: from the file
        var renderer = Renderer(counting);
        await renderer.RenderAsync("Hello again", "en-us", 8000);
        await renderer.RenderAsync("Hello again", "en-us", 8000);
        await renderer.RenderAsync("Hello again", "en-us", 16000);
        await renderer.RenderAsync("Hello again", "en", 8000);

        Assert.Equal(first, again);
        Assert.Equal(3, counting.Calls); // first, 16 kHz, other voice
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_data, SpeechRenderer.CacheFolder)).Length);
    }

    [Fact]
    public async Task Without_the_engine_the_status_says_so_and_rendering_fails_with_the_reason()
    {
        var missing = new EspeakNgTextToSpeech(NullLogger<EspeakNgTextToSpeech>.Instance) { Executable = "/nonexistent/espeak-ng" };
        var status = await missing.GetStatusAsync();

        Assert.False(status.Available);
        Assert.Contains("not installed", status.Problem);
        var error = await Assert.ThrowsAsync<TextToSpeechException>(() => Renderer(missing).RenderAsync("hi", null, 8000));
        Assert.Contains("espeak-ng", error.Message);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("en; rm -rf /")]
    public async Task A_voice_that_is_not_a_voice_name_is_refused(string voice)
    {
        await Assert.ThrowsAsync<TextToSpeechException>(() => Renderer().RenderAsync("hi", voice, 8000));
    }

    [Theory]
    [InlineData(22050, 8000)]
    [InlineData(22050, 16000)]
    [InlineData(44100, 16000)]
    [InlineData(8000, 16000)]
    public void The_rational_resampler_passes_1_kHz_and_removes_what_the_new_rate_cannot_carry(int from, int to)
    {
        var pass = RationalResampler.Resample(WavSamples.Tone(from, 1000, 1.0), from, to);
        Assert.InRange(pass.Length, to - 1, to + 1);
        Assert.InRange(WavSamples.Frequency(pass.AsSpan(to / 10, to / 2), to), 990, 1010);
        Assert.InRange(Pcm16.Rms(pass.AsSpan(to / 10, to / 2)) / Pcm16.Rms(WavSamples.Tone(from, 1000, 0.5)), 0.95, 1.05);

        // Above the new Nyquist (or, upsampling, nothing to remove: the images of a 3.9 kHz tone stay out).
        int high = Math.Min(from, to) / 2 + 1500;
        if (high < from / 2)
        {
            var stop = RationalResampler.Resample(WavSamples.Tone(from, high, 1.0), from, to);
            Assert.True(Pcm16.Rms(stop.AsSpan(to / 10, to / 2)) < 0.001 * Pcm16.Rms(WavSamples.Tone(from, high, 0.5)), "a tone above the new Nyquist is at least 60 dB down");
        }
    }

    [Fact]
    public async Task Calls_asking_for_the_same_speech_at_once_share_one_rendering_and_one_giving_up_stops_none()
    {
        var engine = new CountingEngine(new EspeakNgTextToSpeech(NullLogger<EspeakNgTextToSpeech>.Instance));
        var renderer = Renderer(engine);
        using var gaveUp = new CancellationTokenSource();

        var quitter = renderer.RenderAsync("Please hold while we connect you.", null, 8000, gaveUp.Token);
        var waiting = Enumerable.Range(0, 20).Select(_ => renderer.RenderAsync("Please hold while we connect you.", null, 8000)).ToList();
        await gaveUp.CancelAsync();
        var renderings = await Task.WhenAll(waiting);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter);
        Assert.Equal(1, engine.Calls);
        Assert.All(renderings, r => Assert.Same(renderings[0], r));
        Assert.True(renderings[0].Length > 8000 / 2);
    }

    private sealed class CountingEngine(ITextToSpeech inner) : ITextToSpeech
    {
        public int Calls;
        public string Engine => inner.Engine;
        public Task<TextToSpeechStatus> GetStatusAsync(CancellationToken ct = default) => inner.GetStatusAsync(ct);

        public Task<SpeechAudio> SynthesizeAsync(string text, string? voice, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            return inner.SynthesizeAsync(text, voice, ct);
        }
    }
}
