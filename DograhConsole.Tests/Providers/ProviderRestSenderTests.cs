using System.Net;
using DograhConsole.Core.Providers;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers;

/// <summary>The REST exchange the hand-spoken provider clients share, against a loopback server that fails on cue.</summary>
[Trait("Category", "Host")]
public sealed class ProviderRestSenderTests : IAsyncLifetime
{
    private readonly WebApplication _server = LoopbackServer.Create();
    private Uri _address = null!;
    private int _flaky;
    private int _requests;

    public async Task InitializeAsync()
    {
        _server.MapGet("/flaky", () => Interlocked.Increment(ref _flaky) <= 2
            ? Results.Json(new { title = "Busy" }, statusCode: 503)
            : Results.Json(new { ok = true }));
        _server.MapGet("/refused", () =>
        {
            Interlocked.Increment(ref _requests);
            return Results.Text("<html>bad gateway</html>", "text/html", statusCode: 502);
        });
        _server.MapGet("/missing", () => Results.Json(new { title = "Not found" }, statusCode: 404));
        _address = await _server.StartLoopbackAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_safe_request_is_tried_again_on_5xx_and_its_json_read()
    {
        var response = await Sender().SendAsync(() => Get("/flaky"), retry: true, default);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Failure);
        Assert.True((bool)response.Body!["ok"]!);
        Assert.Equal(3, _flaky);
    }

    [Fact]
    public async Task A_request_that_is_not_safe_to_repeat_is_sent_once_and_a_body_that_is_not_json_is_kept_as_text_for_the_message()
    {
        var response = await Sender().SendAsync(() => Get("/refused"), retry: false, default);

        Assert.Equal(HttpStatusCode.BadGateway, response.Status);
        Assert.Null(response.Body);
        Assert.Equal("502: <html>bad gateway</html>", response.Failure!.Message);
        Assert.Equal(1, _requests);
    }

    [Fact]
    public async Task A_client_error_is_not_retried_even_when_retries_are_allowed()
    {
        var response = await Sender().SendAsync(() => Get("/missing"), retry: true, default);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Not found", (string?)response.Body!["title"]);
        Assert.Equal("Not found", response.Failure!.Message.Split(':')[1].Trim());
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_one_sentence_naming_the_provider()
    {
        var response = await Sender().SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Samples.UnreachableApi + "/x"), retry: false, default);

        Assert.Null(response.Status);
        Assert.StartsWith("Acme could not be reached: ", response.Failure!.Message, StringComparison.Ordinal);
    }

    private HttpRequestMessage Get(string path) => new(HttpMethod.Get, new Uri(_address, path));

    private static ProviderRestSender Sender()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("acme");
        var factory = services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new ProviderRestSender("Acme", factory, "acme", TimeProvider.System, NullLogger.Instance,
            (response, json, text) => $"{(int)response.StatusCode}: {(string?)json?["title"] ?? text}");
    }
}
