using System.Diagnostics;
using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Bench;

/// <summary>Single-threaded throughput of the G.711 codecs and the resampler, in MB/s of 16-bit PCM processed.</summary>
internal static class CodecBench
{
    public static void Run(TextWriter output)
    {
        const int samples = 16000 * 10; // 10 s of 16 kHz audio
        var pcm = new short[samples];
        var random = new Random(7);
        for (int i = 0; i < samples; i++) pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 16000) + random.Next(-500, 500));
        var g711 = new byte[samples];
        var decoded = new short[samples];
        var up = new short[samples * 2];
        var down = new short[samples];
        var upsampler = Resampler.Create(8000, 16000);
        var downsampler = Resampler.Create(16000, 8000);

        output.WriteLine("Codecs and resampler, one thread (MB/s of 16-bit PCM in; 'x real time' = seconds of audio per second, i.e. streams one core could carry):");
        output.WriteLine($"| operation | MB/s | x real time |");
        output.WriteLine($"|---|---:|---:|");
        Report(output, "u-law encode", samples * 2, () => MuLaw.Encode(pcm, g711));
        Report(output, "u-law decode", samples * 2, () => MuLaw.Decode(g711, decoded));
        Report(output, "A-law encode", samples * 2, () => ALaw.Encode(pcm, g711));
        Report(output, "A-law decode", samples * 2, () => ALaw.Decode(g711, decoded));
        Report(output, "u-law encode+decode", samples * 2, () => { MuLaw.Encode(pcm, g711); MuLaw.Decode(g711, decoded); });
        Report(output, "A-law encode+decode", samples * 2, () => { ALaw.Encode(pcm, g711); ALaw.Decode(g711, decoded); });
        // Real calls resample in 20 ms frames, so measure that way.
        Report(output, "resample 8->16 kHz (20 ms frames)", samples * 2, () =>
        {
            for (int i = 0; i + 160 <= samples; i += 160) upsampler.Process(pcm.AsSpan(i, 160), up);
        });
        Report(output, "resample 16->8 kHz (20 ms frames)", samples * 2, inputRate: 16000, work: () =>
        {
            for (int i = 0; i + 320 <= samples; i += 320) downsampler.Process(pcm.AsSpan(i, 320), down);
        });
        output.WriteLine();
    }

    private static void Report(TextWriter output, string name, long bytes, Action work, int inputRate = 8000)
    {
        for (int i = 0; i < 20; i++) work(); // warm up (tiered JIT)
        var watch = Stopwatch.StartNew();
        long iterations = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            work();
            iterations++;
        }

        double seconds = watch.Elapsed.TotalSeconds;
        double megabytes = bytes * iterations / 1e6;
        double realTime = bytes / 2.0 / inputRate * iterations / seconds; // seconds of audio (at the input rate) per second
        output.WriteLine($"| {name} | {megabytes / seconds:0} | {realTime:0} |");
    }
}
