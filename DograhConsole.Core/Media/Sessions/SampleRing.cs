using System.Buffers;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>A FIFO of PCM16 samples in one pooled ring buffer that doubles when full. Not thread-safe.</summary>
internal sealed class SampleRing(int initialCapacity) : IDisposable
{
    private short[] _buffer = [];
    private int _head;

    public int Count { get; private set; }

    public void Write(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        EnsureCapacity(Count + samples.Length);
        int tail = (_head + Count) % _buffer.Length;
        int first = Math.Min(samples.Length, _buffer.Length - tail);
        samples[..first].CopyTo(_buffer.AsSpan(tail));
        samples[first..].CopyTo(_buffer);
        Count += samples.Length;
    }

    /// <summary>Moves up to <c>dest.Length</c> of the oldest samples into <paramref name="dest"/>; returns how many.</summary>
    public int Read(Span<short> dest)
    {
        int n = Math.Min(dest.Length, Count);
        if (n == 0)
        {
            return 0;
        }

        int first = Math.Min(n, _buffer.Length - _head);
        _buffer.AsSpan(_head, first).CopyTo(dest);
        _buffer.AsSpan(0, n - first).CopyTo(dest[first..]);
        _head = (_head + n) % _buffer.Length;
        Count -= n;
        return n;
    }

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Clear();
        if (buffer.Length > 0)
        {
            ArrayPool<short>.Shared.Return(buffer);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<short>.Shared.Rent(Math.Max(needed, Math.Max(initialCapacity, _buffer.Length * 2)));
        int count = Read(grown);
        var old = _buffer;
        _buffer = grown;
        _head = 0;
        Count = count;
        if (old.Length > 0)
        {
            ArrayPool<short>.Shared.Return(old);
        }
    }
}
