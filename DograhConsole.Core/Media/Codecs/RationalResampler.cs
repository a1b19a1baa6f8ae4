using System.Collections.Concurrent;
using System.Numerics;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>
/// Whole-buffer resampling between any two rates (22050 -> 8000, 44100 -> 16000, ...) for rendered speech and
/// uploaded prompts. Rational L/M polyphase: conceptually upsample by L, low-pass with a Kaiser windowed sinc at
/// 0.4625 of the lower rate (as <see cref="Resampler"/>), keep every M-th sample; only the taps that meet real
/// input samples are computed. The output is aligned with the input (the filter delay is compensated).
/// The live 8k/16k stream path stays on the streaming <see cref="Resampler"/>.
/// </summary>
public static class RationalResampler
{
    // The same low-pass as Resampler's, whose comment gives its response.
    private const double CutoffOfLowerRate = 0.4625;
    private const double KaiserBeta = 7.5;
    private const int TapsPerPhase = 32;

    private static readonly ConcurrentDictionary<(int, int), Filter> Filters = new();

    public static short[] Resample(ReadOnlySpan<short> input, int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        if (fromRate == toRate) return input.ToArray();
        var filter = Filters.GetOrAdd((fromRate, toRate), static key => new Filter(key.Item1, key.Item2));
        return filter.Apply(input);
    }

    private sealed class Filter
    {
        private readonly int _up;
        private readonly int _down;
        private readonly int _taps;        // per phase
        private readonly int _delay;       // filter centre, in upsampled samples
        private readonly float[] _phases;  // phase p: taps h[p + i*L] * L, i = 0.._taps-1

        public Filter(int fromRate, int toRate)
        {
            int gcd = (int)BigInteger.GreatestCommonDivisor(fromRate, toRate);
            _up = toRate / gcd;
            _down = fromRate / gcd;
            // Decimating by more than the interpolation needs proportionally longer filters for the same transition band.
            _taps = TapsPerPhase * Math.Max(1, (int)Math.Ceiling((double)_down / _up));
            int length = (_taps * _up) - 1;
            if (length % 2 == 0) length--;
            double cutoff = CutoffOfLowerRate * Math.Min(fromRate, toRate) / ((double)_up * fromRate);
            double[] prototype = KaiserLowPass.Design(length, cutoff, KaiserBeta);
            _delay = length / 2;
            _phases = new float[_up * _taps];
            for (int p = 0; p < _up; p++)
            {
                for (int i = 0; i < _taps; i++)
                {
                    int tap = p + (i * _up);
                    _phases[(p * _taps) + i] = tap < prototype.Length ? (float)(prototype[tap] * _up) : 0f;
                }
            }
        }

        public short[] Apply(ReadOnlySpan<short> input)
        {
            int outputLength = (int)(((long)input.Length * _up + _down - 1) / _down);
            var output = new short[outputLength];
            for (int n = 0; n < outputLength; n++)
            {
                long t = ((long)n * _down) + _delay; // upsampled position of the filter's newest tap
                int phase = (int)(t % _up);
                long newest = t / _up;
                var taps = _phases.AsSpan(phase * _taps, _taps);
                float sum = 0;
                for (int i = 0; i < taps.Length; i++)
                {
                    long j = newest - i;
                    if (j < 0) break;
                    if (j < input.Length) sum += taps[i] * input[(int)j];
                }
                output[n] = (short)Math.Clamp((int)MathF.Round(sum), short.MinValue, short.MaxValue);
            }
            return output;
        }
    }
}
