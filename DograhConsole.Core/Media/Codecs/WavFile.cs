using System.Buffers.Binary;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>A WAV file decoded to mono 16-bit PCM at its own sample rate.</summary>
public sealed record WavAudio(int SampleRate, short[] Samples, int SourceChannels, string SourceEncoding)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);
}

/// <summary>
/// Reads RIFF/WAVE: PCM 8-bit (unsigned) and 16-bit, G.711 u-law and A-law, mono or stereo (mixed to mono), at
/// 8-48 kHz. Anything else (floats, 24/32-bit, ADPCM, more channels, a truncated file) is refused with a message
/// that says why. Writes mono and stereo PCM16.
/// </summary>
public static class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;
    /// <summary>From the telephone rate to the usual studio rate; bounds the resampling an upload can ask for.</summary>
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 48000;
    /// <summary>The canonical PCM WAV header: RIFF (12), fmt (24) and data (8) chunk headers.</summary>
    public const int HeaderLength = 44;

    /// <param name="streamed">
    /// True for a WAV written to a pipe (espeak-ng --stdout), whose sizes are placeholders: the data runs to the end.
    /// False for a file, where a data chunk longer than the file means it was truncated.
    /// </param>
    public static bool TryRead(ReadOnlySpan<byte> file, out WavAudio? audio, out string? error, bool streamed = false)
    {
        audio = null;
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
            return Fail("The file is not a WAV file (no RIFF/WAVE header).", out error);

        int position = 12;
        ushort format = 0, channels = 0, bits = 0, blockAlign = 0;
        int rate = 0;
        bool haveFormat = false;
        while (true)
        {
            if (position + 8 > file.Length)
                return Fail(haveFormat ? "The WAV file has no data chunk (it may be truncated)." : "The WAV file has no fmt chunk (it may be truncated).", out error);
            var id = file.Slice(position, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(position + 4, 4));
            int body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > file.Length) return Fail("The WAV file's fmt chunk is truncated.", out error);
                var fmt = file.Slice(body, (int)size);
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (format == FormatExtensible && size >= 40) format = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]); // sub-format GUID starts with the tag
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat) return Fail("The WAV file has its data before its fmt chunk.", out error);
                if (!Describe(format, channels, bits, rate, blockAlign, out var encoding, out error)) return false;
                long available = file.Length - body;
                if (size > available)
                {
                    if (!streamed) return Fail($"The WAV file is truncated: its data chunk says {size} bytes but only {available} follow.", out error);
                    size = available;
                }
                size -= size % blockAlign;
                if (size == 0) return Fail("The WAV file contains no audio.", out error);
                audio = new WavAudio(rate, Decode(file.Slice(body, (int)size), format, channels, bits), channels, encoding);
                error = null;
                return true;
            }
            long next = body + size + (size & 1);
            if (next > file.Length) return Fail("The WAV file is truncated inside a chunk.", out error);
            position = (int)next;
        }
    }

    private static bool Describe(ushort format, ushort channels, ushort bits, int rate, ushort blockAlign, out string encoding, out string? error)
    {
        encoding = "";
        if (channels is not (1 or 2)) return Fail($"The WAV file has {channels} channels; only mono and stereo are supported.", out error);
        if (rate is < MinSampleRate or > MaxSampleRate) return Fail($"The WAV file's sample rate is {rate} Hz; {MinSampleRate}-{MaxSampleRate} Hz are supported.", out error);
        encoding = (format, bits) switch
        {
            (FormatPcm, 16) => "pcm16",
            (FormatPcm, 8) => "pcm8",
            (FormatMuLaw, 8) => "ulaw",
            (FormatALaw, 8) => "alaw",
            _ => "",
        };
        if (encoding.Length == 0)
        {
            var what = format switch
            {
                FormatPcm => $"{bits}-bit PCM",
                3 => "32-bit float",
                2 or 0x11 => "ADPCM",
                0x55 => "MP3",
                _ => $"format {format} ({bits}-bit)",
            };
            return Fail($"The WAV file is {what}; supported are 8/16-bit PCM, u-law and A-law.", out error);
        }
        if (blockAlign != channels * bits / 8) return Fail("The WAV file's block alignment does not match its format.", out error);
        error = null;
        return true;
    }

    private static short[] Decode(ReadOnlySpan<byte> data, ushort format, int channels, int bits)
    {
        int bytesPerSample = bits / 8;
        int frames = data.Length / (bytesPerSample * channels);
        var mono = new short[frames];
        for (int i = 0; i < frames; i++)
        {
            int sum = 0;
            for (int c = 0; c < channels; c++)
            {
                int offset = ((i * channels) + c) * bytesPerSample;
                sum += format switch
                {
                    FormatMuLaw => MuLaw.DecodeSample(data[offset]),
                    FormatALaw => ALaw.DecodeSample(data[offset]),
                    _ when bits == 8 => (data[offset] - 128) << 8,
                    _ => BinaryPrimitives.ReadInt16LittleEndian(data[offset..]),
                };
            }
            mono[i] = (short)(sum / channels);
        }
        return mono;
    }

    /// <summary>A complete PCM16 WAV file of <paramref name="channels"/> interleaved channels.</summary>
    public static byte[] Write(ReadOnlySpan<short> interleaved, int sampleRate, int channels = 1)
    {
        var bytes = new byte[HeaderLength + (interleaved.Length * 2)];
        WriteHeader(bytes, sampleRate, channels, interleaved.Length * 2);
        Pcm16.SamplesToBytes(interleaved, bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>The 44-byte header of a PCM16 WAV with <paramref name="dataBytes"/> of audio.</summary>
    public static void WriteHeader(Span<byte> header, int sampleRate, int channels, long dataBytes)
    {
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - 36);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], data + 36);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], sampleRate * channels * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], data);
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
