namespace DograhConsole.Core.Media.Codecs;

/// <summary>Windowed-sinc (Kaiser) linear-phase low-pass FIR design.</summary>
internal static class KaiserLowPass
{
    /// <summary>
    /// Odd-length (<paramref name="length"/> must be odd) symmetric low-pass with its -6 dB point at
    /// <paramref name="cutoff"/> (a fraction of the sample rate, 0..0.5) and unity DC gain.
    /// </summary>
    public static double[] Design(int length, double cutoff, double beta)
    {
        if (length < 3 || length % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "Length must be odd and at least 3.");
        }

        var taps = new double[length];
        int center = length / 2;
        double sum = 0;
        for (int n = 0; n < length; n++)
        {
            int t = n - center;
            double sinc = t == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double x = (double)t / center;
            double window = BesselI0(beta * Math.Sqrt(1 - (x * x))) / BesselI0(beta);
            taps[n] = sinc * window;
            sum += taps[n];
        }

        for (int n = 0; n < length; n++)
        {
            taps[n] /= sum;
        }

        return taps;
    }

    private static double BesselI0(double x)
    {
        double term = 1;
        double sum = 1;
        double quarterSquare = x * x / 4;
        for (int k = 1; k < 64 && term > 1e-12 * sum; k++)
        {
            term *= quarterSquare / ((double)k * k);
            sum += term;
        }

        return sum;
    }
}
