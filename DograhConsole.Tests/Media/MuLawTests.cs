using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Media;

[Trait("Category", "Unit")]
public class MuLawTests
{
    [SpecsFact(G711Vectors.Folder)]
    public void Encode_matches_the_ITU_sweep_for_every_input()
    {
        short[] source = G711Vectors.Source();
        var codes = new byte[source.Length];

        MuLaw.Encode(source, codes);

        G711Vectors.AssertSame(G711Vectors.Codes("sweep-r.u"), codes, source);
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Decode_of_the_ITU_codes_matches_the_ITU_decode()
    {
        byte[] codes = G711Vectors.Codes("sweep-r.u");
        var decoded = new short[codes.Length];

        MuLaw.Decode(codes, decoded);

        G711Vectors.AssertSame(G711Vectors.ReadWords("sweep-r.reu"), decoded, G711Vectors.Source());
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Encode_then_decode_matches_the_ITU_round_trip()
    {
        short[] source = G711Vectors.Source();
        var codes = new byte[source.Length];
        var decoded = new short[source.Length];

        MuLaw.Encode(source, codes);
        MuLaw.Decode(codes, decoded);

        G711Vectors.AssertSame(G711Vectors.ReadWords("sweep-r.u-u"), decoded, source);
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Codes_of_negative_inputs_are_distributed_exactly_as_in_the_ITU_sweep()
    {
        short[] source = G711Vectors.Source();
        byte[] itu = G711Vectors.Codes("sweep-r.u");

        int[] expected = NegativeInputHistogram(source, i => itu[i]);
        int[] actual = NegativeInputHistogram(source, i => MuLaw.EncodeSample(source[i]));

        Assert.Equal(expected, actual);
    }

    // Guards the test above: a Sun g711.c-style encoder (negating x instead of ~x) must not pass it.
    [SpecsFact(G711Vectors.Folder)]
    public void A_Sun_style_encoder_would_fail_the_ITU_checks()
    {
        short[] source = G711Vectors.Source();
        byte[] itu = G711Vectors.Codes("sweep-r.u");

        int[] differing = Enumerable.Range(0, source.Length).Where(i => SunEncode(source[i]) != itu[i]).ToArray();

        Assert.Equal(508, differing.Length);
        Assert.All(differing, i => Assert.True(source[i] < 0));
        Assert.NotEqual(
            NegativeInputHistogram(source, i => itu[i]),
            NegativeInputHistogram(source, i => SunEncode(source[i])));
    }

    [Fact]
    public void Boundary_values_follow_the_ITU_rule()
    {
        Assert.Equal(0xFF, MuLaw.EncodeSample(0));
        Assert.Equal(0x7F, MuLaw.EncodeSample(-1));
        Assert.Equal(0x7F, MuLaw.EncodeSample(-4));
        Assert.Equal(0x01, MuLaw.EncodeSample(-31612)); // Sun g711.c gives 0x00 here
        Assert.Equal(0x80, MuLaw.EncodeSample(short.MaxValue));
        Assert.Equal(0x00, MuLaw.EncodeSample(short.MinValue));
        Assert.Equal(-32124, MuLaw.DecodeSample(0x00));
        Assert.Equal(32124, MuLaw.DecodeSample(0x80));
        Assert.Equal(0, MuLaw.DecodeSample(0x7F));
        Assert.Equal(0, MuLaw.DecodeSample(MuLaw.Silence));
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Decode_table_matches_the_published_table()
    {
        using JsonDocument json = JsonDocument.Parse(
            File.ReadAllText(SharedSpecs.PathOf(G711Vectors.Folder, "g711_decode_tables_from_itu_vectors.json")));
        short[] expected = json.RootElement.GetProperty("ulaw_decode").EnumerateArray().Select(e => e.GetInt16()).ToArray();

        short[] actual = Enumerable.Range(0, 256).Select(c => MuLaw.DecodeSample((byte)c)).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Every_code_except_negative_zero_survives_decode_then_encode()
    {
        for (int code = 0; code < 256; code++)
        {
            byte expected = code == 0x7F ? (byte)0xFF : (byte)code;
            Assert.Equal(expected, MuLaw.EncodeSample(MuLaw.DecodeSample((byte)code)));
        }
    }

    [Fact]
    public void Span_and_single_sample_APIs_agree_for_every_input()
    {
        short[] all = Enumerable.Range(short.MinValue, 65536).Select(v => (short)v).ToArray();
        var codes = new byte[all.Length];
        var decoded = new short[all.Length];

        Assert.Equal(all.Length, MuLaw.Encode(all, codes));
        Assert.Equal(all.Length, MuLaw.Decode(codes, decoded));

        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(MuLaw.EncodeSample(all[i]), codes[i]);
            Assert.Equal(MuLaw.DecodeSample(codes[i]), decoded[i]);
        }
    }

    [Fact]
    public void Short_destinations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MuLaw.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => MuLaw.Decode(new byte[160], new short[159]));
    }

    private static int[] NegativeInputHistogram(short[] source, Func<int, byte> codeAt)
    {
        var histogram = new int[256];
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i] < 0)
            {
                histogram[codeAt(i)]++;
            }
        }

        return histogram;
    }

    // The classic Sun linear2ulaw, as described in ../shared/specs/g711/NOTES.md, for contrast only.
    private static byte SunEncode(short sample)
    {
        int p = sample >> 2;
        int mask = 0xFF;
        if (p < 0)
        {
            p = -p;
            mask = 0x7F;
        }

        p = Math.Min(p, 8159) + 33;
        int segment = 0;
        while (segment < 8 && p > (0x40 << segment) - 1)
        {
            segment++;
        }

        return segment == 8
            ? (byte)(0x7F ^ mask)
            : (byte)(((segment << 4) | ((p >> (segment + 1)) & 0xF)) ^ mask);
    }
}
