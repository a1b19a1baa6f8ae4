using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DograhConsole.Core;
using DograhConsole.Core.Data;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Telephony.Configurations;

[Trait("Category", "Host")]
public sealed class TelephonyConfigurationApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private static JsonObject Credentials(ApiResponse view) =>
        (view.Json["configuration"]?["credentials"] ?? view.Json["credentials"])!.AsObject();

    private static IEnumerable<JsonObject> Items(ApiResponse list) => list.Json.AsArray().Select(n => n!.AsObject());

    [Fact]
    public async Task Providers_are_listed_with_the_fields_that_drive_the_form()
    {
        var providers = (await Admin.ApiGetAsync("/api/v1/telephony/providers")).Expect(HttpStatusCode.OK);
        var byName = Items(providers).ToDictionary(p => p["name"]!.GetValue<string>());
        Assert.Equal(new[] { "ari", "plivo", "telnyx", "twilio", "vonage" }, byName.Keys.Order(StringComparer.Ordinal));

        var twilio = byName["twilio"];
        Assert.Equal("carrier", twilio["kind"]!.GetValue<string>());
        Assert.Equal(new[] { "e164", "sipUri" }, twilio["addressTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        var authToken = twilio["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "authToken")!;
        Assert.True(authToken["sensitive"]!.GetValue<bool>());
        Assert.True(authToken["required"]!.GetValue<bool>());
        Assert.Equal("password", authToken["type"]!.GetValue<string>());

        Assert.Equal("pbx", byName["ari"]["kind"]!.GetValue<string>());
        Assert.Contains("extension", byName["ari"]["addressTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("l16 16 kHz", byName["vonage"]["mediaFormat"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("twilio")]
    [InlineData("vonage")]
    [InlineData("telnyx")]
    [InlineData("ari")]
    [InlineData("plivo")]
    public async Task A_configuration_round_trips_with_its_secrets_masked_everywhere(string provider)
    {
        var client = await NewOrganizationClientAsync();
        var sample = Samples.For(provider);
        var name = Samples.UniqueName(provider);
        var bodies = new List<string>();

        var created = await client.CreateConfigAsync(sample, name);
        bodies.Add(created.Text);
        var id = created.Id;
        Assert.Equal($"/api/v1/telephony-configs/{id}", created.Location?.OriginalString);
        Assert.Equal(name, created.Json["name"]!.GetValue<string>());
        Assert.Equal(provider, created.Json["provider"]!.GetValue<string>());
        Assert.True(created.Json["isDefaultOutbound"]!.GetValue<bool>());

        var detail = (await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        bodies.Add(detail.Text);
        Assert.Equal(id, detail.Json["configuration"]!["id"]!.GetValue<Guid>());
        var credentials = Credentials(detail);
        foreach (var (field, value) in sample.Values)
        {
            var shown = credentials[field]!.GetValue<string>();
            if (sample.Secrets.Contains(value!))
            {
                Assert.StartsWith(SecretMask.Bullets, shown);
                Assert.True(shown.Length - SecretMask.Bullets.Length <= 4, $"{field} shows too much: {shown}");
            }
            else
            {
                Assert.Equal(value, shown);
            }
        }
        Assert.NotEmpty(detail.Json["checklist"]!.AsArray());
        Assert.NotEmpty(detail.Json["setupValues"]!.AsArray());

        var list = (await client.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK);
        bodies.Add(list.Text);
        Assert.Equal(new[] { id }, Items(list).Select(c => c["id"]!.GetValue<Guid>()));

        var renamed = name + " renamed";
        var updated = (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { name = renamed, credentials })).Expect(HttpStatusCode.OK);
        bodies.Add(updated.Text);
        Assert.Equal(renamed, updated.Json["name"]!.GetValue<string>());
        var reread = (await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        bodies.Add(reread.Text);
        Assert.Equal(renamed, reread.Json["configuration"]!["name"]!.GetValue<string>());

        var stored = await Factory.StoredCredentialsAsync(id);
        foreach (var (field, value) in sample.Values) Assert.Equal(value!.Trim(), stored[field]);

        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(0, await client.CountAsync(ApiCalls.Configs));

        foreach (var body in bodies) SecretAssert.NotIn(body, sample.Secrets, "a response body");
        SecretAssert.NotInLogs(Factory, sample.Secrets);
    }

    [Fact]
    public async Task Secrets_are_encrypted_at_rest()
    {
        var sample = Samples.Vonage();
        var id = (await Admin.CreateConfigAsync(sample)).Id;

        var entity = await Factory.StoredConfigurationAsync(id);
        SecretAssert.NotIn(entity.SettingsJson, sample.Secrets, "SettingsJson");
        SecretAssert.NotIn(entity.ProtectedSecrets, sample.Secrets, "ProtectedSecrets");
        Assert.NotEmpty(entity.ProtectedSecrets);
        Assert.Equal("a1b2c3d4", entity.AccountKey);

        // And nowhere in the database files (the WAL holds recent writes).
        var dataDirectory = Factory.DataDirectory;
        foreach (var file in Directory.GetFiles(dataDirectory, DograhCore.DatabaseFileName + "*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            SecretAssert.NotIn(await reader.ReadToEndAsync(), sample.Secrets, Path.GetFileName(file));
        }

        var stored = await Factory.StoredCredentialsAsync(id);
        Assert.Equal(sample.Values["apiSecret"], stored["apiSecret"]);
        Assert.Equal(sample.Values["signatureSecret"], stored["signatureSecret"]);
    }

    [Fact]
    public async Task Sending_back_the_masked_values_keeps_the_stored_secrets()
    {
        var client = await NewOrganizationClientAsync();
        var sample = Samples.Vonage();
        var id = (await client.CreateConfigAsync(sample)).Id;

        var masked = Credentials((await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK));
        var updated = (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { name = "Vonage edited", credentials = masked })).Expect(HttpStatusCode.OK);
        Assert.Equal(masked["apiSecret"]!.GetValue<string>(), Credentials(updated)["apiSecret"]!.GetValue<string>());

        var stored = await Factory.StoredCredentialsAsync(id);
        Assert.Equal(sample.Values["apiSecret"], stored["apiSecret"]);
        Assert.Equal(sample.Values["privateKey"]!.Trim(), stored["privateKey"]);
        Assert.Equal(sample.Values["signatureSecret"], stored["signatureSecret"]);

        // A new value replaces only its own field.
        var newSecret = Samples.Token(24);
        (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { credentials = new { apiSecret = newSecret } })).Expect(HttpStatusCode.OK);
        stored = await Factory.StoredCredentialsAsync(id);
        Assert.Equal(newSecret, stored["apiSecret"]);
        Assert.Equal(sample.Values["privateKey"]!.Trim(), stored["privateKey"]);
        Assert.Equal(sample.Values["signatureSecret"], stored["signatureSecret"]);

        // No credentials at all: everything stays.
        var renamed = (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { name = "Vonage renamed" })).Expect(HttpStatusCode.OK);
        Assert.Equal("Vonage renamed", renamed.Json["name"]!.GetValue<string>());
        Assert.Equal(newSecret, (await Factory.StoredCredentialsAsync(id))["apiSecret"]);

        SecretAssert.NotIn(renamed.Text, [newSecret, .. sample.Secrets], "the update response");
        SecretAssert.NotInLogs(Factory, [newSecret, .. sample.Secrets]);
    }

    [Fact]
    public async Task A_stale_mask_is_refused_instead_of_being_stored_as_the_secret()
    {
        var client = await NewOrganizationClientAsync();
        var sample = Samples.Ari();
        var id = (await client.CreateConfigAsync(sample)).Id;
        var staleForm = Credentials((await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK));

        var newPassword = Samples.Token(24);
        (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { credentials = new { appPassword = newPassword } })).Expect(HttpStatusCode.OK);

        var stale = (await client.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { credentials = staleForm })).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("credentials.appPassword", stale.ErrorFields);
        Assert.Equal(newPassword, (await Factory.StoredCredentialsAsync(id))["appPassword"]);
    }

    [Fact]
    public async Task The_first_configuration_is_the_default_and_there_is_exactly_one_default_per_organization()
    {
        var client = await NewOrganizationClientAsync();
        var first = (await client.CreateConfigAsync(Samples.Twilio(), "A first")).Id;
        var second = await client.CreateConfigAsync(Samples.Vonage(), "B second");
        var third = (await client.CreateConfigAsync(Samples.Ari(), "C third")).Id;
        Assert.False(second.Json["isDefaultOutbound"]!.GetValue<bool>());

        async Task<Guid[]> DefaultsAsync() => Items((await client.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK))
            .Where(c => c["isDefaultOutbound"]!.GetValue<bool>()).Select(c => c["id"]!.GetValue<Guid>()).ToArray();

        Assert.Equal(new[] { first }, await DefaultsAsync());

        var made = (await client.ApiPostAsync($"{ApiCalls.Configs}/{second.Id}/default-outbound", null)).Expect(HttpStatusCode.OK);
        Assert.True(made.Json["isDefaultOutbound"]!.GetValue<bool>());
        Assert.Equal(new[] { second.Id }, await DefaultsAsync());

        (await client.ApiPostAsync($"{ApiCalls.Configs}/{third}/default-outbound", null)).Expect(HttpStatusCode.OK);
        (await client.ApiPostAsync($"{ApiCalls.Configs}/{third}/default-outbound", null)).Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { third }, await DefaultsAsync());

        // Deleting the default hands it to the oldest remaining configuration.
        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{third}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(new[] { first }, await DefaultsAsync());

        (await client.ApiPostAsync($"{ApiCalls.Configs}/{Guid.NewGuid()}/default-outbound", null)).Expect(HttpStatusCode.NotFound);
        Assert.Equal(new[] { first }, await DefaultsAsync());

        // Another organization's first configuration is its own default, whatever this one has.
        var other = await NewOrganizationClientAsync();
        Assert.True((await other.CreateConfigAsync(Samples.Twilio())).Json["isDefaultOutbound"]!.GetValue<bool>());
        Assert.Equal(new[] { first }, await DefaultsAsync());
    }

    [Fact]
    public async Task Deleting_a_configuration_is_refused_while_it_has_numbers()
    {
        var client = await NewOrganizationClientAsync();
        var id = (await client.CreateConfigAsync(Samples.Twilio(), "Sales line")).Id;
        var a = Samples.UniqueE164();
        var b = Samples.UniqueE164();
        var first = (await client.CreateNumberAsync(id, a)).Id;
        var second = (await client.CreateNumberAsync(id, b)).Id;

        var refused = (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.Conflict);
        Assert.Equal("configuration_in_use", refused.Json["code"]!.GetValue<string>());
        Assert.Contains("'Sales line' is still in use", refused.Detail);
        Assert.Contains("2 phone numbers", refused.Detail);
        Assert.Contains(a, refused.Detail);
        Assert.Contains(b, refused.Detail);
        (await client.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, await client.CountAsync($"{ApiCalls.Configs}/{id}/phone-numbers"));

        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}/phone-numbers/{first}")).Expect(HttpStatusCode.NoContent);
        refused = (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.Conflict);
        Assert.Contains("1 phone number (", refused.Detail);

        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}/phone-numbers/{second}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Twilio_setup_values_give_the_public_inbound_webhook_URL()
    {
        var id = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var detail = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        var values = detail.Json["setupValues"]!.AsArray().Select(v => v!["value"]!.GetValue<string>()).ToList();
        Assert.Contains(DograhAppFactory.PublicBaseUrl + "/api/v1/telephony/inbound/run", values);
    }

    [Fact]
    public async Task ARI_setup_values_give_the_dialplan_and_websocket_client_for_its_app()
    {
        var app = "dograh-setup-" + Guid.NewGuid().ToString("N")[..6];
        var sample = Samples.Ari(app);
        var id = (await Admin.CreateConfigAsync(sample)).Id;
        var detail = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        var values = detail.Json["setupValues"]!.AsArray().Select(v => v!["value"]!.GetValue<string>()).ToList();

        Assert.Contains(values, v => v.Contains($"same => n,Stasis({app})", StringComparison.Ordinal));
        var client = Assert.Single(values, v => v.Contains("type = websocket_client", StringComparison.Ordinal));
        Assert.Contains("[dograh]", client);
        Assert.Contains("protocols = media", client);
        Assert.Contains("uri = wss://console.dograh.test/api/v1/telephony/ws/ari", client);
        Assert.Contains("tls_enabled = yes", client);
        Assert.Contains("wss://console.dograh.test/api/v1/telephony/ws/ari", values);
        Assert.Contains(values, v => v.StartsWith($"[{app}]", StringComparison.Ordinal) && v.Contains("type = user", StringComparison.Ordinal));
        SecretAssert.NotIn(detail.Text, sample.Secrets, "the ARI set-up values");
    }

    [Fact]
    public async Task Generated_stasis_app_names_are_returned_and_differ()
    {
        var client = await NewOrganizationClientAsync();
        var first = Credentials(await client.CreateConfigAsync(Samples.Ari()))["stasisAppName"]!.GetValue<string>();
        var second = Credentials(await client.CreateConfigAsync(Samples.Ari()))["stasisAppName"]!.GetValue<string>();
        Assert.Matches("^dograh-[0-9a-f]{6}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task The_checklist_becomes_ready_once_an_active_number_exists()
    {
        var client = await NewOrganizationClientAsync();
        var created = await client.CreateConfigAsync(Samples.Twilio());
        Assert.Equal("setupIncomplete", created.Json["status"]!.GetValue<string>());
        Assert.Contains("phone number", created.Json["statusReason"]!.GetValue<string>());

        await client.CreateNumberAsync(created.Id, Samples.UniqueE164());
        var detail = (await client.ApiGetAsync($"{ApiCalls.Configs}/{created.Id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("ready", detail.Json["configuration"]!["status"]!.GetValue<string>());
        Assert.Equal(1, detail.Json["configuration"]!["phoneNumberCount"]!.GetValue<int>());
        var item = detail.Json["checklist"]!.AsArray().Single(i => i!["title"]!.GetValue<string>() == "At least one phone number")!;
        Assert.True(item["done"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_Asterisk_that_refuses_the_events_connection_makes_the_configuration_disconnected_with_the_error()
    {
        var client = await NewOrganizationClientAsync();
        var created = await client.CreateConfigAsync(Samples.Ari());
        await client.CreateNumberAsync(created.Id, "2001");

        // Port 9 refuses: the listener's first attempt fails and the configuration says so, with the error and its time.
        JsonNode? detail = null;
        await Eventually.TrueAsync(async () =>
        {
            detail = (await client.ApiGetAsync($"{ApiCalls.Configs}/{created.Id}")).Expect(HttpStatusCode.OK).Json;
            return detail["configuration"]!["connection"]?["lastError"] is not null;
        }, "the refused events connection on the configuration");
        var configuration = detail!["configuration"]!;
        Assert.Equal("disconnected", configuration["status"]!.GetValue<string>());
        Assert.Contains("refused", configuration["statusReason"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.False(configuration["connection"]!["isUp"]!.GetValue<bool>());
        Assert.NotNull(configuration["connection"]!["lastErrorAt"]);
        var item = detail["checklist"]!.AsArray().Single(i => i!["title"]!.GetValue<string>() == "Connected")!;
        Assert.False(item["done"]!.GetValue<bool>());

        // The list (cards, dashboard) carries the same status.
        var listed = (await client.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK).Json.AsArray().Single(c => c!["id"]!.GetValue<Guid>() == created.Id)!;
        Assert.Equal("disconnected", listed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Vonage_without_a_signature_secret_carries_a_warning()
    {
        var without = await Admin.CreateConfigAsync(Samples.Vonage(withSignatureSecret: false));
        Assert.Equal(new[] { VonageProviderSpec.NoSignatureSecretWarning },
            without.Json["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.False(Credentials(without).ContainsKey("signatureSecret"));

        var with = await Admin.CreateConfigAsync(Samples.Vonage());
        Assert.Empty(with.Json["warnings"]!.AsArray());
    }

    [Fact]
    public async Task Stasis_app_names_are_unique_across_organizations()
    {
        var app = "dograh-unique-" + Guid.NewGuid().ToString("N")[..6];
        var owner = await NewOrganizationClientAsync();
        await owner.CreateConfigAsync(Samples.Ari(app));

        var other = await NewOrganizationClientAsync();
        var refused = (await other.ApiPostAsync(ApiCalls.Configs, new { name = "Mine", provider = "ari", credentials = Samples.Ari(app).Values }))
            .Expect(HttpStatusCode.Conflict);
        Assert.Equal("credentials.stasisAppName", refused.Json["field"]!.GetValue<string>());
        Assert.Equal("duplicate", refused.Json["code"]!.GetValue<string>());
        Assert.Equal(0, await other.CountAsync(ApiCalls.Configs));

        // Nor can an existing configuration be renamed onto it.
        var mine = (await other.CreateConfigAsync(Samples.Ari())).Id;
        (await other.ApiPutAsync($"{ApiCalls.Configs}/{mine}", new { credentials = new { stasisAppName = app } })).Expect(HttpStatusCode.Conflict);
        Assert.NotEqual(app, (await Factory.StoredConfigurationAsync(mine)).AccountKey);

        // Within one organization too.
        (await owner.ApiPostAsync(ApiCalls.Configs, new { name = "Second", provider = "ari", credentials = Samples.Ari(app).Values }))
            .Expect(HttpStatusCode.Conflict);
        Assert.Equal(1, await owner.CountAsync(ApiCalls.Configs));
    }

    [Fact]
    public async Task Configuration_names_are_unique_per_organization_only()
    {
        var one = await NewOrganizationClientAsync();
        var two = await NewOrganizationClientAsync();
        await one.CreateConfigAsync(Samples.Twilio(), "Main line");
        await two.CreateConfigAsync(Samples.Twilio(), "Main line");

        var duplicate = (await one.ApiPostAsync(ApiCalls.Configs, new { name = "  Main line ", provider = "vonage", credentials = Samples.Vonage().Values }))
            .Expect(HttpStatusCode.Conflict);
        Assert.Equal("name", duplicate.Json["field"]!.GetValue<string>());
        Assert.Contains("'Main line'", duplicate.Detail);
        Assert.Equal(1, await one.CountAsync(ApiCalls.Configs));

        var otherId = (await one.CreateConfigAsync(Samples.Twilio(), "Backup line")).Id;
        (await one.ApiPutAsync($"{ApiCalls.Configs}/{otherId}", new { name = "Main line" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("Backup line", (await Factory.StoredConfigurationAsync(otherId)).Name);
    }

    [Fact]
    public async Task The_provider_of_a_configuration_cannot_change()
    {
        var id = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var refused = (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { provider = "vonage" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "provider" }, refused.ErrorFields);
        Assert.Equal("twilio", (await Factory.StoredConfigurationAsync(id)).Provider);

        // The same provider in another case is not a change.
        (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { provider = "Twilio" })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reactivate_clears_the_inactive_flag_and_is_audited()
    {
        var id = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var dbFactory = Factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var entity = await db.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
            entity.IsInactive = true;
            entity.InactiveReason = "Twilio answered 401 to the credentials.";
            entity.InactiveSince = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }

        var inactive = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("inactive", inactive.Json["configuration"]!["status"]!.GetValue<string>());
        Assert.Equal("Twilio answered 401 to the credentials.", inactive.Json["configuration"]!["statusReason"]!.GetValue<string>());

        var reactivated = (await Admin.ApiPostAsync($"{ApiCalls.Configs}/{id}/reactivate", null)).Expect(HttpStatusCode.OK);
        Assert.False(reactivated.Json["isInactive"]!.GetValue<bool>());
        Assert.Null(reactivated.Json["inactiveReason"]);
        Assert.False((await Factory.StoredConfigurationAsync(id)).IsInactive);

        var audit = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=200")).Expect(HttpStatusCode.OK);
        var entry = audit.Json["items"]!.AsArray().Single(e => e!["entityId"]!.GetValue<string>() == id.ToString() && e["action"]!.GetValue<string>() == "reactivated")!;
        Assert.Contains("Twilio answered 401", entry["details"]!.GetValue<string>());

        (await Admin.ApiPostAsync($"{ApiCalls.Configs}/{Guid.NewGuid()}/reactivate", null)).Expect(HttpStatusCode.NotFound);
    }
}
