using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

/// <summary>A body of unknown length (sent chunked), <paramref name="size"/> bytes of form text.</summary>
internal sealed class ChunkedContent(long size) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var chunk = System.Text.Encoding.ASCII.GetBytes("a=" + new string('x', 16 * 1024 - 2));
        for (long sent = 0; sent < size; sent += chunk.Length) await stream.WriteAsync(chunk);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

[Trait("Category", "Host")]
public sealed class WebhookBodyLimitTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    public static readonly TheoryData<string> Webhooks = new()
    {
        "/api/v1/telephony/inbound/run",
        $"/api/v1/telephony/twilio/calls/{Guid.NewGuid()}/answer",
        $"/api/v1/telephony/twilio/calls/{Guid.NewGuid()}/status",
        $"/api/v1/telephony/vonage/answer/{Guid.NewGuid()}",
        $"/api/v1/telephony/vonage/events/{Guid.NewGuid()}",
        "/api/v1/telephony/vonage/events",
    };

    [Theory]
    [MemberData(nameof(Webhooks))]
    public async Task A_10_MB_chunked_body_to_a_webhook_is_413_with_one_log_line(string path)
    {
        var address = factory.StartKestrel();
        using var client = new HttpClient { BaseAddress = address };
        var before = factory.LogLines.Count;
        using var content = new ChunkedContent(10 * 1024 * 1024);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(path, content);
        }
        catch (HttpRequestException)
        {
            // The server may answer and close while the client still sends; what it answered is checked from the log.
            response = new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge);
        }
        using (response) Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var logged = factory.LogLines.Skip(before).Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(logged, l => true);
        Assert.True(line.StartsWith("Warning", StringComparison.Ordinal), line);
        Assert.DoesNotContain("   at ", line);
    }
}

[Trait("Category", "Host")]
public sealed class ReturnUrlTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    [Theory]
    [InlineData("/\t/evil")]
    [InlineData("/\\evil")]
    [InlineData("//evil.test")]
    [InlineData("https://evil.test/")]
    public async Task A_foreign_return_url_after_sign_in_goes_home(string returnUrl)
    {
        using var session = new CookieSession(factory);
        using var response = await session.SignInAsync(returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_local_return_url_after_sign_in_is_kept()
    {
        using var session = new CookieSession(factory);
        using var response = await session.SignInAsync(returnUrl: "/calls?active=true");
        Assert.Equal("/calls?active=true", response.Headers.Location?.OriginalString);
    }
}
