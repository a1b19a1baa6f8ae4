using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core;
using DograhConsole.Core.Security;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.WorkflowRuntime.Agent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>An agent step's auth header: encrypted at rest, masked in every read, kept by its unchanged mask, real only on the bot's socket.</summary>
[Trait("Category", "Host")]
public sealed class AgentAuthHeaderTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private static string NewSecret() => "Bearer wf-secret-" + Guid.NewGuid().ToString("N");

    private static string Definition(Uri botUrl, string authHeader) =>
        new JsonObject
        {
            ["steps"] = new JsonArray(
                new JsonObject { ["id"] = "bot", ["type"] = "agent", ["url"] = botUrl.ToString(), ["authHeader"] = authHeader },
                new JsonObject { ["type"] = "hangup", ["reason"] = "after bot" }),
        }.ToJsonString();

    private static string AuthHeaderOf(ApiResponse response) =>
        JsonNode.Parse(response.Json["definition"]!.GetValue<string>())!["steps"]![0]!["authHeader"]!.GetValue<string>();

    private async Task<string> BotSeesAsync(FakeBot bot, Guid workflowId)
    {
        var call = await fixture.CreateCallAsync(workflowId);
        await using var run = fixture.Run(call.Id);
        var connection = await bot.NextConnectionAsync().WaitAsync(Eventually.Patience);
        await connection.NextAsync("start");
        return connection.Authorization;
    }

    [Fact]
    public async Task The_header_is_encrypted_at_rest_masked_in_responses_kept_by_its_mask_and_sent_to_the_bot()
    {
        await using var bot = await FakeBot.StartAsync();
        var secret = NewSecret();
        var created = (await fixture.Api.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("agent"), definition = Definition(bot.Url, secret) }))
            .Expect(HttpStatusCode.Created);
        var url = $"{ApiCalls.Workflows}/{created.Id}";
        Assert.Equal(SecretMask.Mask(secret), AuthHeaderOf(created));

        // The definition exactly as read back, mask included, with a new name: the secret stays.
        var fetched = (await fixture.Api.ApiGetAsync(url)).Expect(HttpStatusCode.OK);
        var updated = (await fixture.Api.ApiPutAsync(url, new { name = Samples.UniqueName("agent"), definition = fetched.Json["definition"]!.GetValue<string>() }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(SecretMask.Mask(secret), AuthHeaderOf(updated));
        var list = (await fixture.Api.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.OK);
        foreach (var body in new[] { created.Text, fetched.Text, updated.Text, list.Text }) SecretAssert.NotIn(body, [secret], "a response body");

        Assert.Equal(secret, await BotSeesAsync(bot, created.Id));

        await using (var db = await fixture.Db.CreateDbContextAsync())
        {
            var stored = await db.Workflows.IgnoreQueryFilters().SingleAsync(w => w.Id == created.Id);
            SecretAssert.NotIn(stored.DefinitionJson, [secret], "DefinitionJson");
            SecretAssert.NotIn(stored.ProtectedSecrets, [secret], "ProtectedSecrets");
            Assert.NotEmpty(stored.ProtectedSecrets);
        }
        foreach (var file in Directory.GetFiles(fixture.Parent.DataDirectory, DograhCore.DatabaseFileName + "*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            SecretAssert.NotIn(await reader.ReadToEndAsync(), [secret], Path.GetFileName(file));
        }
        SecretAssert.NotInLogs(fixture.Parent, [secret]);
    }

    [Fact]
    public async Task A_stale_or_edited_mask_is_refused_and_changes_nothing()
    {
        await using var bot = await FakeBot.StartAsync();
        var secret = NewSecret();
        var created = (await fixture.Api.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("agent"), definition = Definition(bot.Url, secret) }))
            .Expect(HttpStatusCode.Created);
        var url = $"{ApiCalls.Workflows}/{created.Id}";

        foreach (var stale in new[] { SecretMask.Mask(NewSecret()), SecretMask.Mask(secret) + "x", SecretMask.Bullets })
        {
            var refused = (await fixture.Api.ApiPutAsync(url, new { definition = Definition(bot.Url, stale) })).Expect(HttpStatusCode.BadRequest);
            Assert.Contains("definition.steps[0].authHeader", refused.ErrorFields);
            Assert.Contains("type the new value", refused.ErrorText("definition.steps[0].authHeader"));
        }
        // A mask on a new workflow has no secret behind it.
        var orphan = (await fixture.Api.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("agent"), definition = Definition(bot.Url, SecretMask.Mask(secret)) }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Contains("definition.steps[0].authHeader", orphan.ErrorFields);

        Assert.Equal(SecretMask.Mask(secret), AuthHeaderOf((await fixture.Api.ApiGetAsync(url)).Expect(HttpStatusCode.OK)));
        Assert.Equal(secret, await BotSeesAsync(bot, created.Id));

        // A new value replaces it.
        var replacement = NewSecret();
        var replaced = (await fixture.Api.ApiPutAsync(url, new { definition = Definition(bot.Url, replacement) })).Expect(HttpStatusCode.OK);
        Assert.Equal(SecretMask.Mask(replacement), AuthHeaderOf(replaced));
        Assert.Equal(replacement, await BotSeesAsync(bot, created.Id));
    }

    [Fact]
    public async Task A_plain_text_header_stored_before_encryption_keeps_working_and_is_encrypted_at_start_up()
    {
        await using var bot = await FakeBot.StartAsync();
        var secret = NewSecret();
        var workflow = new Workflow
        {
            Id = Guid.NewGuid(),
            OrganizationId = fixture.OrganizationId,
            Name = Samples.UniqueName("legacy"),
            DefinitionJson = Definition(bot.Url, secret),
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        await using (var db = await fixture.Db.CreateDbContextAsync())
        {
            db.Workflows.Add(workflow);
            await db.SaveChangesAsync();
        }
        var url = $"{ApiCalls.Workflows}/{workflow.Id}";
        var before = (await fixture.Api.ApiGetAsync(url)).Expect(HttpStatusCode.OK);
        Assert.Equal(SecretMask.Mask(secret), AuthHeaderOf(before));
        SecretAssert.NotIn(before.Text, [secret], "the response for a plain-text definition");
        Assert.Equal(secret, await BotSeesAsync(bot, workflow.Id));

        await fixture.Services.GetRequiredService<WorkflowSecrets>().ProtectPlainTextAsync();

        await using (var db = await fixture.Db.CreateDbContextAsync())
        {
            var stored = await db.Workflows.IgnoreQueryFilters().AsNoTracking().SingleAsync(w => w.Id == workflow.Id);
            SecretAssert.NotIn(stored.DefinitionJson, [secret], "DefinitionJson after the start-up sweep");
            Assert.NotEmpty(stored.ProtectedSecrets);
        }
        Assert.Equal(SecretMask.Mask(secret), AuthHeaderOf((await fixture.Api.ApiGetAsync(url)).Expect(HttpStatusCode.OK)));
        Assert.Equal(secret, await BotSeesAsync(bot, workflow.Id));
    }
}
