using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>The RMS level of one frame: <paramref name="Rms"/> relative to full scale (0..1) and in dBFS.</summary>
public readonly record struct AudioLevel(double Rms, double Dbfs)
{
    public static AudioLevel Silence => new(0, Pcm16.SilenceDbfs);

    public static AudioLevel Of(ReadOnlySpan<short> frame) => new(Pcm16.Rms(frame), Pcm16.RmsDbfs(frame));
}
