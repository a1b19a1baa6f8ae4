using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Media;

[Trait("Category", "Unit")]
public class ALawTests
{
    [SpecsFact(G711Vectors.Folder)]
    public void Encode_matches_the_ITU_sweep_for_every_input()
    {
        short[] source = G711Vectors.Source();
        var codes = new byte[source.Length];

        ALaw.Encode(source, codes);

        G711Vectors.AssertSame(G711Vectors.Codes("sweep-r.a"), codes, source);
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Decode_of_the_ITU_codes_matches_the_ITU_decode()
    {
        byte[] codes = G711Vectors.Codes("sweep-r.a");
        var decoded = new short[codes.Length];

        ALaw.Decode(codes, decoded);

        G711Vectors.AssertSame(G711Vectors.ReadWords("sweep-r.rea"), decoded, G711Vectors.Source());
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Encode_then_decode_matches_the_ITU_round_trip()
    {
        short[] source = G711Vectors.Source();
        var codes = new byte[source.Length];
        var decoded = new short[source.Length];

        ALaw.Encode(source, codes);
        ALaw.Decode(codes, decoded);

        G711Vectors.AssertSame(G711Vectors.ReadWords("sweep-r.a-a"), decoded, source);
    }

    [SpecsFact(G711Vectors.Folder)]
    public void Decode_table_matches_the_published_table()
    {
        using JsonDocument json = JsonDocument.Parse(
            File.ReadAllText(SharedSpecs.PathOf(G711Vectors.Folder, "g711_decode_tables_from_itu_vectors.json")));
        short[] expected = json.RootElement.GetProperty("alaw_decode").EnumerateArray().Select(e => e.GetInt16()).ToArray();

        short[] actual = Enumerable.Range(0, 256).Select(c => ALaw.DecodeSample((byte)c)).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Boundary_values_follow_the_ITU_rule()
    {
        Assert.Equal(0xD5, ALaw.EncodeSample(0));
        Assert.Equal(0x55, ALaw.EncodeSample(-1));
        Assert.Equal(0xAA, ALaw.EncodeSample(short.MaxValue));
        Assert.Equal(0x2A, ALaw.EncodeSample(short.MinValue));
        Assert.Equal(8, ALaw.DecodeSample(ALaw.Silence));
        Assert.Equal(-8, ALaw.DecodeSample(0x55));
        Assert.Equal(32256, ALaw.DecodeSample(0xAA));
        Assert.Equal(-32256, ALaw.DecodeSample(0x2A));
    }

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, ALaw.EncodeSample(ALaw.DecodeSample((byte)code)));
        }
    }

    [Fact]
    public void Span_and_single_sample_APIs_agree_for_every_input()
    {
        short[] all = Enumerable.Range(short.MinValue, 65536).Select(v => (short)v).ToArray();
        var codes = new byte[all.Length];
        var decoded = new short[all.Length];

        Assert.Equal(all.Length, ALaw.Encode(all, codes));
        Assert.Equal(all.Length, ALaw.Decode(codes, decoded));

        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(ALaw.EncodeSample(all[i]), codes[i]);
            Assert.Equal(ALaw.DecodeSample(codes[i]), decoded[i]);
        }
    }

    [Fact]
    public void Short_destinations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ALaw.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => ALaw.Decode(new byte[160], new short[159]));
    }
}
