namespace DograhConsole.Bench;

/// <summary>Pacing errors (|gap between a call's consecutive frames - 20 ms|) in 0.01 ms buckets up to 200 ms.</summary>
internal sealed class PacingHistogram
{
    private const int Buckets = 20001;
    private readonly long[] _counts = new long[Buckets];

    /// <summary>One writer at a time.</summary>
    public void Add(double errorMs)
    {
        _counts[Math.Clamp((int)(errorMs * 100), 0, Buckets - 1)]++;
    }

    public void Clear() => Array.Clear(_counts);

    /// <summary>The error at <paramref name="fraction"/> (0.5 = median, 1.0 = max), in ms; NaN when empty.</summary>
    public double Percentile(double fraction)
    {
        long total = _counts.Sum();
        if (total == 0) return double.NaN;
        long wanted = Math.Max(1, (long)Math.Ceiling(total * fraction));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= wanted) return i / 100.0;
        }

        return (Buckets - 1) / 100.0;
    }
}
