using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>The SDK addresses api.twilio.com; the console's requests (and the auth token) go only to the configuration's API base URL.</summary>
[Trait("Category", "Host")]
public sealed class TwilioApiBaseTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    private sealed record Received(string Path, string Authorization, bool CarriedTarget);

    [Fact]
    public async Task Requests_go_to_the_configured_base_under_its_path_with_the_accounts_credentials_and_nothing_else()
    {
        var (proxy, received, address) = await StartRecorderAsync();
        await using var _ = proxy;
        var api = fixture.App.Services.GetRequiredService<TwilioApiClient>();
        var accountSid = "AC" + new string('1', 32);

        var fetched = await api.FetchAccountAsync(new TwilioCredentials(accountSid, "token-for-the-proxy", new Uri(address, "twilio-proxy/").ToString()), default);

        Assert.True(fetched.Succeeded, fetched.Error);
        Assert.Equal("Proxied account", fetched.Value!.FriendlyName);
        var request = Assert.Single(received);
        Assert.Equal($"/twilio-proxy/2010-04-01/Accounts/{accountSid}.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:token-for-the-proxy")), request.Authorization);
        Assert.False(request.CarriedTarget);
    }

    [Fact]
    public async Task A_request_addressed_anywhere_but_api_twilio_com_or_naming_no_base_is_never_sent()
    {
        var (proxy, received, address) = await StartRecorderAsync();
        await using var _ = proxy;
        var clients = fixture.App.Services.GetRequiredService<IHttpClientFactory>();

        using (var targeted = clients.CreateClient(TwilioApiClient.HttpClientName))
        {
            TwilioApiBaseHandler.Target(targeted, address);
            await Assert.ThrowsAsync<HttpRequestException>(() => targeted.GetAsync(new Uri(address, "2010-04-01/Accounts.json")));
            await Assert.ThrowsAsync<HttpRequestException>(() => targeted.GetAsync("https://api.twilio.com.evil.example/2010-04-01/Accounts.json"));
        }
        using (var untargeted = clients.CreateClient(TwilioApiClient.HttpClientName))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => untargeted.GetAsync("https://api.twilio.com/2010-04-01/Accounts.json"));
        }
        Assert.Empty(received);
    }

    [Fact]
    public async Task An_unusable_base_URL_is_an_error_before_anything_is_sent()
    {
        var api = fixture.App.Services.GetRequiredService<TwilioApiClient>();
        var result = await api.FetchAccountAsync(new TwilioCredentials("AC" + new string('2', 32), "token", "not a url"), default);
        Assert.False(result.Succeeded);
        Assert.Equal("The API base URL 'not a url' is not valid.", result.Error);
    }

    /// <summary>A loopback server that answers every path with an account and records what reached it.</summary>
    private static async Task<(WebApplication App, ConcurrentQueue<Received> Received, Uri Address)> StartRecorderAsync()
    {
        var received = new ConcurrentQueue<Received>();
        var app = LoopbackServer.Create();
        app.Run(async context =>
        {
            received.Enqueue(new Received(context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(),
                context.Request.Headers.Keys.Any(k => k.StartsWith("X-Dograh", StringComparison.OrdinalIgnoreCase))));
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            await context.Response.WriteAsJsonAsync(new { sid = "AC" + new string('1', 32), friendly_name = "Proxied account", status = "active" });
        });
        return (app, received, await app.StartLoopbackAsync());
    }
}
