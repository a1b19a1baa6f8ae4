using DograhConsole.Tests.Infrastructure;
namespace DograhConsole.Tests.Media;

/// <summary>The ITU-T G.191 STL G.711 sweep vectors: raw little-endian 16-bit words, 65536 per file.</summary>
internal static class G711Vectors
{
    public const string Folder = "g711";
    public const int Length = 65536;

    /// <summary>The encoder input: every int16 from -32768 to 32767.</summary>
    public static short[] Source() => ReadWords("sweep.src");

    /// <summary>An encoded file (sweep-r.u or sweep-r.a), one G.711 code per word.</summary>
    public static byte[] Codes(string name) => Array.ConvertAll(ReadWords(name), w => checked((byte)w));

    public static short[] ReadWords(string name)
    {
        byte[] bytes = File.ReadAllBytes(SharedSpecs.PathOf(Folder, "itu-t-g191-stl", name));
        Assert.Equal(Length * 2, bytes.Length);
        var words = new short[Length];
        for (int i = 0; i < Length; i++)
        {
            words[i] = (short)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8));
        }

        return words;
    }

    /// <summary>Fails with the first differing index, so a 65536-element mismatch stays readable.</summary>
    public static void AssertSame<T>(T[] expected, T[] actual, short[] inputs)
        where T : IEquatable<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(
            mismatches == 0,
            mismatches == 0 ? "" : $"{mismatches} mismatches; first at input {inputs[first]}: expected {expected[first]}, got {actual[first]}");
    }
}
