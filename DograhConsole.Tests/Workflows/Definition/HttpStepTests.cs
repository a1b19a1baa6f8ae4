using System.Text.Json;
using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

[Trait("Category", "Unit")]
public sealed class HttpStepTests
{
    private static DefinitionTestKit.Outcome Http(string properties) =>
        Steps($$"""{"id":"lookup","type":"http","url":"https://crm.example.com/lookup"{{properties}}}""", """{"id":"sorry","type":"hangup"}""");

    [Fact]
    public void A_bare_http_step_posts_with_a_5_second_timeout()
    {
        var http = Single<HttpStep>("""{"type":"http","url":"http://localhost:8080/hook"}""");
        Assert.Equal(("http://localhost:8080/hook", "POST", 5), (http.Url, http.Method, http.TimeoutSeconds));
        Assert.Empty(http.Headers);
        Assert.Empty(http.ResponseMapping);
        Assert.Null(http.OnError);
    }

    [Fact]
    public void A_full_http_step_is_read()
    {
        var definition = Http(""","method":"get","timeoutSeconds":30,"headers":{"Authorization":"Bearer {{token}}","X-Call":"{{call_id}}"},"responseMapping":{"customer.name":"$.data.name","plan":"data.plan","first":"$.items[0].id","all":"$"},"onError":"sorry" """).Valid();
        var http = Assert.IsType<HttpStep>(definition.Steps[0]);
        Assert.Equal("GET", http.Method);
        Assert.Equal(30, http.TimeoutSeconds);
        Assert.Equal("Bearer {{token}}", http.Headers["Authorization"]);
        Assert.Equal("$.data.name", http.ResponseMapping["customer.name"].Text);
        Assert.Equal("sorry", http.OnError);
        Assert.Equal(["customer.name", "plan", "first", "all"], definition.AssignedVariables());
    }

    [Theory]
    [InlineData("https://api.example.com/{{path}}?n={{caller_number}}")]
    [InlineData("https://{{host}}/x")]
    public void A_templated_url_is_accepted_when_its_scheme_is_literal(string url)
    {
        Single<HttpStep>($$"""{"type":"http","url":"{{url}}"}""");
    }

    [Theory]
    [InlineData("""{"type":"http"}""", "url", "is required")]
    [InlineData("""{"type":"http","url":"/relative"}""", "url", "absolute http:// or https:// URL")]
    [InlineData("""{"type":"http","url":"ftp://example.com/x"}""", "url", "absolute http:// or https:// URL")]
    [InlineData("""{"type":"http","url":"{{base}}/x"}""", "url", "absolute http:// or https:// URL")]
    [InlineData("""{"type":"http","url":"https://x","method":"PUT"}""", "method", "GET or POST")]
    [InlineData("""{"type":"http","url":"https://x","timeoutSeconds":0}""", "timeoutSeconds", "from 1 to 30")]
    [InlineData("""{"type":"http","url":"https://x","timeoutSeconds":31}""", "timeoutSeconds", "from 1 to 30")]
    [InlineData("""{"type":"http","url":"https://x","timeoutSeconds":"5"}""", "timeoutSeconds", "not a string")]
    [InlineData("""{"type":"http","url":"https://x","headers":"X-A: b"}""", "headers", "must be an object")]
    [InlineData("""{"type":"http","url":"https://x","headers":{"X-A":1}}""", "headers.X-A", "must be a string")]
    [InlineData("""{"type":"http","url":"https://x","headers":{"X A":"b"}}""", "headers.X A", "not a valid HTTP header name")]
    [InlineData("""{"type":"http","url":"https://x","headers":{"X-A":"b\r\nX-Evil: 1"}}""", "headers.X-A", "one line")]
    [InlineData("""{"type":"http","url":"https://x","responseMapping":{"1name":"$.a"}}""", "responseMapping.1name", "not a variable name")]
    [InlineData("""{"type":"http","url":"https://x","responseMapping":{"name":"$..a"}}""", "responseMapping.name", "not a response path")]
    [InlineData("""{"type":"http","url":"https://x","responseMapping":{"name":"$.a["}}""", "responseMapping.name", "not a response path")]
    [InlineData("""{"type":"http","url":"https://x","responseMapping":{"name":""}}""", "responseMapping.name", "not a response path")]
    [InlineData("""{"type":"http","url":"https://x","onError":"missing"}""", "onError", "goes to step 'missing', but no step has that id")]
    [InlineData("""{"type":"http","url":"https://x","body":"{}"}""", "body", "unknown property")]
    public void Each_http_rule_names_the_step_and_field(string step, string field, string expected)
    {
        var message = Steps(step).SingleError($"definition.steps[0].{field}");
        Assert.StartsWith("Step 1: ", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("$.data.name", """{"data":{"name":"Ada"}}""", "\"Ada\"")]
    [InlineData("data.name", """{"data":{"name":"Ada"}}""", "\"Ada\"")]
    [InlineData("$.items[1].id", """{"items":[{"id":1},{"id":2}]}""", "2")]
    [InlineData("items[0]", """{"items":[7]}""", "7")]
    [InlineData("$", """{"a":1}""", """{"a":1}""")]
    public void A_response_path_selects_from_the_body(string pathText, string body, string expected)
    {
        Assert.True(ResponsePath.TryParse(pathText, out var path));
        using var document = JsonDocument.Parse(body);
        Assert.True(path!.TrySelect(document.RootElement, out var value));
        Assert.Equal(expected, value.GetRawText());
    }

    [Theory]
    [InlineData("$.data.missing")]
    [InlineData("$.items[5]")]
    [InlineData("$.data[0]")]
    public void A_response_path_that_is_not_there_selects_nothing(string pathText)
    {
        Assert.True(ResponsePath.TryParse(pathText, out var path));
        using var document = JsonDocument.Parse("""{"data":{"name":"Ada"},"items":[1]}""");
        Assert.False(path!.TrySelect(document.RootElement, out _));
    }
}
