namespace DograhConsole.Core.Workflows.Speech;

/// <summary>Speech as the engine produced it: mono PCM16 at the engine's own rate.</summary>
public sealed record SpeechAudio(int SampleRate, short[] Samples);

/// <summary>Whether a text-to-speech engine can run here; <see cref="Problem"/> is what the UI shows when not.</summary>
public sealed record TextToSpeechStatus(bool Available, string Engine, string? Problem);

/// <summary>Thrown when the engine cannot render; the message is recorded on the call.</summary>
public sealed class TextToSpeechException(string message) : Exception(message);

/// <summary>A text-to-speech engine. The embedded default is espeak-ng; <see cref="SpeechRenderer"/> adds caching and the call's rate.</summary>
public interface ITextToSpeech
{
    string Engine { get; }

    /// <summary>Checked once and remembered; cheap to call from a page.</summary>
    Task<TextToSpeechStatus> GetStatusAsync(CancellationToken ct = default);

    /// <summary>Renders <paramref name="text"/> in <paramref name="voice"/> (null: the engine's default).</summary>
    Task<SpeechAudio> SynthesizeAsync(string text, string? voice, CancellationToken ct = default);
}
