using System.Buffers;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// A copy of one PCM16 frame in an <see cref="ArrayPool{T}"/> buffer. The consumer disposes it exactly once when done;
/// the samples are invalid afterwards (so do not copy the struct and dispose both copies).
/// </summary>
public readonly struct PcmFrame : IDisposable
{
    private readonly short[]? _buffer;

    private PcmFrame(short[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<short> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<short> Memory => _buffer.AsMemory(0, Length);

    internal static PcmFrame CopyOf(ReadOnlySpan<short> samples)
    {
        var buffer = ArrayPool<short>.Shared.Rent(samples.Length);
        samples.CopyTo(buffer);
        return new PcmFrame(buffer, samples.Length);
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<short>.Shared.Return(_buffer);
        }
    }
}
