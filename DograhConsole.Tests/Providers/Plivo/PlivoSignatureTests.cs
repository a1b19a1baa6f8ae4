using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace DograhConsole.Tests.Providers.Plivo;

[Trait("Category", "Unit")]
public sealed class PlivoSignatureTests
{
    private const string VectorsFolder = "plivo";

    /// <summary>The official V3 vectors (plivo-go) from test-vectors.json: signed text and signature both reproduced.</summary>
    [SpecsFact(VectorsFolder)]
    public void The_official_v3_vectors_are_reproduced_and_verify()
    {
        var v3 = JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("plivo", "test-vectors.json")))!["v3"]!;
        var token = (string)v3["auth_token"]!;
        var nonce = (string)v3["nonce"]!;
        var parameters = v3["params"]!.AsObject().ToDictionary(p => p.Key, p => new StringValues((string)p.Value!));
        var vectors = v3["vectors"]!.AsArray();
        Assert.Equal(4, vectors.Count);
        foreach (var vector in vectors)
        {
            var method = (string)vector!["method"]!;
            var uri = (string)vector["uri"]!;
            Assert.Equal((string)vector["signed_string"]!, PlivoSignature.BaseText(method, uri, parameters) + "." + nonce);
            Assert.Equal((string)vector["signature"]!, PlivoSignature.Compute(token, method, uri, parameters, nonce));
            Assert.True(PlivoSignature.IsValid(token, method, uri, parameters, nonce, (string)vector["signature"]!), $"{method} {uri}");
            Assert.False(PlivoSignature.IsValid(token + "x", method, uri, parameters, nonce, (string)vector["signature"]!));
            Assert.False(PlivoSignature.IsValid(token, method, uri, parameters, nonce + "1", (string)vector["signature"]!));
        }
    }

    [Fact]
    public void A_post_without_a_query_signs_its_parameters_sorted_ordinally_after_a_question_mark()
    {
        var text = PlivoSignature.BaseText("POST", "https://console.test/answer", new Dictionary<string, StringValues> { ["b"] = "2", ["a"] = "1", ["Z"] = "0" });
        Assert.Equal("https://console.test/answer?Z0a1b2", text);
        Assert.Equal("https://console.test/answer", PlivoSignature.BaseText("POST", "https://console.test/answer", null));
    }

    [Fact]
    public void A_post_with_a_query_signs_the_query_then_the_body_and_drops_the_dot_when_there_is_no_body()
    {
        var url = "https://console.test/run?plivoAuthId=MA1&x=a%20b";
        Assert.Equal("https://console.test/run?plivoAuthId=MA1&x=a b.CallUUIDu1", PlivoSignature.BaseText("POST", url, new Dictionary<string, StringValues> { ["CallUUID"] = "u1" }));
        Assert.Equal("https://console.test/run?plivoAuthId=MA1&x=a b", PlivoSignature.BaseText("POST", url, null));
    }

    [Fact]
    public void A_get_merges_the_query_with_the_parameters_once_each_and_sorts_repeated_values()
    {
        var text = PlivoSignature.BaseText("GET", "https://console.test/cb/?k=2&k=1&a=x", new Dictionary<string, StringValues> { ["a"] = "x", ["B"] = "y" });
        Assert.Equal("https://console.test/cb/?B=y&a=x&k=1&k=2", text);
    }

    [Fact]
    public void Any_of_several_comma_separated_signatures_may_match_and_garbage_never_throws()
    {
        var parameters = new Dictionary<string, StringValues> { ["CallUUID"] = "u1" };
        var good = PlivoSignature.Compute("token-of-forty-characters-0123456789abcd", "POST", "https://c.test/a", parameters, "42");
        var other = PlivoSignature.Compute("another-token-0123456789abcdefghijklmnop", "POST", "https://c.test/a", parameters, "42");
        Assert.True(PlivoSignature.IsValid("token-of-forty-characters-0123456789abcd", "POST", "https://c.test/a", parameters, "42", other + ", " + good));
        Assert.False(PlivoSignature.IsValid("token-of-forty-characters-0123456789abcd", "POST", "https://c.test/a", parameters, "42", other));
        foreach (var garbage in new[] { "", "   ", "%%%", new string('A', 5000), string.Join(",", Enumerable.Repeat(good, PlivoSignature.MaxSignatures + 1)) })
            Assert.False(PlivoSignature.IsValid("token-of-forty-characters-0123456789abcd", "POST", "https://c.test/a", parameters, "42", garbage));
        Assert.False(PlivoSignature.IsValid("token-of-forty-characters-0123456789abcd", "POST", "https://c.test/a", parameters, null, good));
        Assert.False(PlivoSignature.IsValid("", "POST", "https://c.test/a", parameters, "42", good));
    }
}
