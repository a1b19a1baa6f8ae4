using System.Collections.Concurrent;
using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>A real HTTP server on 127.0.0.1 (port 0) that the http step calls; stopped with the test class.</summary>
public sealed class LoopbackHttpServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<(string Path, string Query, string Body, string? Token)> Requests { get; } = new();

    public async Task InitializeAsync()
    {
        _app = LoopbackServer.Create();
        _app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            Requests.Enqueue((context.Request.Path, context.Request.QueryString.Value ?? "", await reader.ReadToEndAsync(), context.Request.Headers["X-Token"].FirstOrDefault()));
            await next(context);
        });
        _app.MapPost("/lookup", (HttpContext context) =>
        {
            var body = JsonDocument.Parse(Requests.Last().Body).RootElement;
            return Results.Json(new { data = new { name = "Ada", caller = body.GetProperty("caller_number").GetString(), items = new[] { new { id = 7 } } } });
        });
        _app.MapGet("/echo", () => Results.Json(new { ok = true }));
        _app.MapPost("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return Results.Json(new { late = true });
        });
        _app.MapPost("/not-json", () => Results.Text("<html>oops</html>", "text/html"));
        _app.MapPost("/broken", () => Results.StatusCode(503));
        BaseAddress = await _app.StartLoopbackAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[Trait("Category", "Host")]
public sealed class HttpStepTests(RuntimeFixture fixture, LoopbackHttpServer server) : IClassFixture<RuntimeFixture>, IClassFixture<LoopbackHttpServer>
{
    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public async Task Success_posts_the_context_and_maps_response_fields_into_variables()
    {
        await using var run = await fixture.StartAsync($$$"""
            {"steps":[
              {"type":"http","url":"{{{Url("/lookup")}}}","headers":{"X-Token":"t-{{call_id}}"},
               "responseMapping":{"customer":"$.data.name","from":"data.caller","first_id":"$.data.items[0].id","nothing":"$.data.absent"},"onError":"failed"},
              {"type":"http","method":"GET","url":"{{{Url("/echo")}}}?who={{customer}}&id={{first_id}}"},
              {"type":"hangup","reason":"looked up"},
              {"id":"failed","type":"hangup","reason":"failed"}]}
            """, variables: new Dictionary<string, object?> { ["plan"] = "gold" });
        await run.FinishedAsync();

        Assert.Equal("looked up", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        var providerCallId = (await fixture.StoredCallAsync(run.CallId)).ProviderCallId;
        var lookup = Assert.Single(server.Requests, r => r.Path == "/lookup" && r.Token == "t-" + providerCallId);
        var body = JsonDocument.Parse(lookup.Body).RootElement;
        Assert.Equal("+14155550123", body.GetProperty("caller_number").GetString());
        Assert.Equal("gold", body.GetProperty("plan").GetString());
        Assert.Contains(server.Requests, r => r.Path == "/echo" && r.Query == "?who=Ada&id=7");
        var info = (await fixture.EventsAsync(run.CallId)).First(e => e.Message.Contains("/lookup answered 200"));
        Assert.Contains("set customer, from, first_id", info.Message);
        Assert.Contains("not in the response: nothing", info.Message);
    }

    [Fact]
    public async Task Variables_in_the_url_are_percent_encoded_so_they_add_no_parameter_or_segment()
    {
        await using var run = await fixture.StartAsync($$$"""
            {"steps":[
              {"type":"http","method":"GET","url":"{{{Url("/echo")}}}?who={{who}}&tag={{tag}}"},
              {"type":"http","method":"GET","url":"{{{Url("/echo")}}}/{{who}}"},
              {"type":"hangup","reason":"done"}]}
            """, variables: new Dictionary<string, object?> { ["who"] = "+14155550100&role=admin#x", ["tag"] = "a/b?c" });
        await run.FinishedAsync();

        Assert.Contains(server.Requests, r => r.Path == "/echo" && r.Query == "?who=%2B14155550100%26role%3Dadmin%23x&tag=a%2Fb%3Fc");
        Assert.DoesNotContain(server.Requests, r => r.Query.Contains("role=admin", StringComparison.Ordinal));
        // In the path the value stays one segment: its # did not cut it into a fragment (Kestrel shows %23 as it came).
        Assert.Contains(server.Requests, r => r.Path == "/echo/+14155550100&role=admin%23x" && r.Query == "");
    }

    [Theory]
    [InlineData("/slow", "did not answer within 1 s")]
    [InlineData("/not-json", "not JSON")]
    [InlineData("/broken", "answered 503")]
    public async Task A_timeout_bad_JSON_or_an_error_status_is_recorded_and_goes_to_onError(string path, string reason)
    {
        await using var run = await fixture.StartAsync($$"""
            {"steps":[
              {"type":"http","url":"{{Url(path)}}","timeoutSeconds":1,"responseMapping":{"x":"$.x"},"onError":"failed"},
              {"type":"hangup","reason":"ok"},
              {"id":"failed","type":"hangup","reason":"failed"}]}
            """);
        await run.FinishedAsync();

        Assert.Equal("failed", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        var error = Assert.Single(await fixture.EventsAsync(run.CallId), e => e.Kind == CallEventKind.Error);
        Assert.Contains(reason, error.Message);
        Assert.Contains("going to 'failed'", error.Message);
    }

    [Fact]
    public async Task Without_onError_a_failure_goes_on_with_the_next_step()
    {
        await using var run = await fixture.StartAsync($$"""
            {"steps":[{"type":"http","url":"{{Url("/broken")}}"},{"type":"hangup","reason":"next"}]}
            """);
        await run.FinishedAsync();

        Assert.Equal("next", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        Assert.Contains(await fixture.EventsAsync(run.CallId), e => e.Kind == CallEventKind.Error && e.Message.Contains("going on with the next step"));
    }
}
