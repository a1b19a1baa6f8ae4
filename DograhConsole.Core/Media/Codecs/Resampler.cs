using System.Numerics;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>
/// Streaming integer-ratio resampler (e.g. 8 kHz &lt;-&gt; 16 kHz) for one mono stream. A Kaiser windowed-sinc
/// low-pass at 0.4625 of the lower rate (3.7 kHz for 8 kHz) removes aliases when decimating and images when
/// interpolating (polyphase). Filter history is kept between calls, so feeding a stream in 20 ms frames gives
/// exactly the same output as feeding it in one block. Not thread-safe; use one instance per stream direction.
/// </summary>
public sealed class Resampler
{
    // Per 8 kHz of lower rate: -0.8 dB at 3.4 kHz, -6 dB at 3.7 kHz, at least 67 dB down from 4.3 kHz on.
    private const int TapsPerPhase = 32;
    private const double CutoffOfLowerRate = 0.4625;
    private const double KaiserBeta = 7.5;
    // Input is filtered this many samples at a time, so the work buffer stays small however long the input.
    private const int ChunkSize = 1024;
    // Covers 8 kHz to 96 kHz; the filter has TapsPerPhase taps per unit of factor, so more would cost more than any call needs.
    private const int MaxFactor = 12;

    private readonly int _factor;
    private readonly bool _interpolate;
    private readonly int _window;           // input samples each output depends on
    private readonly float[] _coefficients; // time-reversed; for interpolation one block of TapsPerPhase per phase
    private readonly float[] _buffer;       // (_window - 1) history samples, then up to ChunkSize new ones
    private int _phase;                     // decimation: inputs consumed since the last output

    private Resampler(int inputRate, int outputRate)
    {
        InputRate = inputRate;
        OutputRate = outputRate;
        _interpolate = outputRate > inputRate;
        _factor = _interpolate ? outputRate / inputRate : inputRate / outputRate;
        if (_factor == 1)
        {
            _coefficients = [];
            _buffer = [];
            return;
        }

        // An odd prototype (padded with one zero tap) keeps the group delay a whole number of samples.
        int length = TapsPerPhase * _factor;
        double[] prototype = KaiserLowPass.Design(length - 1, CutoffOfLowerRate / _factor, KaiserBeta);
        _coefficients = new float[length];
        if (_interpolate)
        {
            // Branch p computes output n*L+p from inputs n, n-1, ...: taps p, p+L, p+2L, ... scaled by L.
            _window = TapsPerPhase;
            for (int p = 0; p < _factor; p++)
            {
                for (int k = 0; k < TapsPerPhase; k++)
                {
                    int tap = (k * _factor) + p;
                    double value = tap < prototype.Length ? prototype[tap] * _factor : 0;
                    _coefficients[(p * TapsPerPhase) + TapsPerPhase - 1 - k] = (float)value;
                }
            }

            GroupDelay = (length / 2) - 1;
        }
        else
        {
            _window = length;
            for (int k = 0; k < prototype.Length; k++)
            {
                _coefficients[length - 1 - k] = (float)prototype[k];
            }

            // Output k is taken when input k*M + M-1 arrives; the centre tap then sits on input M*(k - K/2 + 1).
            GroupDelay = (TapsPerPhase / 2) - 1;
        }

        _buffer = new float[_window - 1 + ChunkSize];
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Delay of the filter's centre, in output samples.</summary>
    public int GroupDelay { get; }

    /// <summary>Creates a resampler between rates that are equal or an integer multiple of each other.</summary>
    public static Resampler Create(int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        int high = Math.Max(fromRate, toRate);
        int low = Math.Min(fromRate, toRate);
        if (high % low != 0 || high / low > MaxFactor)
        {
            throw new NotSupportedException(
                $"Resampling {fromRate} Hz to {toRate} Hz is not an integer ratio of at most {MaxFactor}.");
        }

        return new Resampler(fromRate, toRate);
    }

    /// <summary>The most output samples <see cref="Process"/> can produce for this many input samples.</summary>
    public int MaxOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        return _interpolate ? checked(inputLength * _factor) : (inputLength + _factor - 1) / _factor;
    }

    /// <summary>
    /// Resamples <paramref name="input"/> (the next samples of the stream) into <paramref name="output"/> and
    /// returns the number of samples written. Decimating an odd-length chunk carries the leftover input over
    /// to the next call, so over a whole stream output count = input count * ratio exactly.
    /// </summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        int produced = _interpolate ? input.Length * _factor : (_phase + input.Length) / _factor;
        if (output.Length < produced)
        {
            throw new ArgumentException($"Output needs room for {produced} samples.", nameof(output));
        }

        if (_factor == 1)
        {
            input.CopyTo(output);
            return produced;
        }

        int written = 0;
        while (!input.IsEmpty)
        {
            int count = Math.Min(input.Length, ChunkSize);
            Span<float> fresh = _buffer.AsSpan(_window - 1, count);
            for (int i = 0; i < count; i++)
            {
                fresh[i] = input[i];
            }

            written += _interpolate ? Interpolate(count, output.Slice(written)) : Decimate(count, output.Slice(written));

            // Keep the newest (_window - 1) samples as history for the next chunk.
            _buffer.AsSpan(count, _window - 1).CopyTo(_buffer);
            input = input.Slice(count);
        }

        return written;
    }

    /// <summary>Clears the filter history, as if the stream were starting again.</summary>
    public void Reset()
    {
        Array.Clear(_buffer);
        _phase = 0;
    }

    private int Interpolate(int count, Span<short> output)
    {
        ReadOnlySpan<float> coefficients = _coefficients;
        int written = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> window = _buffer.AsSpan(i, TapsPerPhase);
            for (int p = 0; p < _factor; p++)
            {
                output[written++] = ToSample(Dot(window, coefficients.Slice(p * TapsPerPhase, TapsPerPhase)));
            }
        }

        return written;
    }

    private int Decimate(int count, Span<short> output)
    {
        int written = 0;
        for (int i = _factor - 1 - _phase; i < count; i += _factor)
        {
            output[written++] = ToSample(Dot(_buffer.AsSpan(i, _window), _coefficients));
        }

        _phase = (_phase + count) % _factor;
        return written;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sums = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sums += new Vector<float>(a.Slice(i)) * new Vector<float>(b.Slice(i));
        }

        float sum = Vector.Sum(sums);
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static short ToSample(float value) =>
        (short)Math.Clamp((int)MathF.Round(value), short.MinValue, short.MaxValue);
}
