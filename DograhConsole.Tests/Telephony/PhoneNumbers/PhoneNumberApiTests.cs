using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Telephony.PhoneNumbers;

[Trait("Category", "Host")]
public class PhoneNumberApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private static string Numbers(Guid configId) => $"{ApiCalls.Configs}/{configId}/phone-numbers";

    private static List<JsonObject> Items(ApiResponse list) => list.Json.AsArray().Select(n => n!.AsObject()).ToList();

    [Fact]
    public async Task A_number_round_trips_with_its_normalized_address_and_workflow()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var workflow = await client.CreateWorkflowAsync("Front desk");
        var e164 = Samples.UniqueE164();
        var typed = $"{e164[..2]} ({e164[2..5]}) {e164[5..8]}-{e164[8..]}";

        var created = (await client.ApiPostAsync(Numbers(configId), new { address = typed, label = "  Main  ", inboundWorkflowId = workflow.Id }))
            .Expect(HttpStatusCode.Created);
        var id = created.Id;
        Assert.Equal($"{Numbers(configId)}/{id}", created.Location?.OriginalString);
        Assert.Equal(typed, created.Json["address"]!.GetValue<string>());
        Assert.Equal(e164, created.Json["normalizedAddress"]!.GetValue<string>());
        Assert.Equal("e164", created.Json["addressType"]!.GetValue<string>());
        Assert.Equal("E.164 number", created.Json["addressTypeLabel"]!.GetValue<string>());
        Assert.Equal("Main", created.Json["label"]!.GetValue<string>());
        Assert.Equal(configId, created.Json["telephonyConfigurationId"]!.GetValue<Guid>());
        Assert.Equal(workflow.Id, created.Json["inboundWorkflowId"]!.GetValue<Guid>());
        Assert.Equal("Front desk", created.Json["inboundWorkflowName"]!.GetValue<string>());
        Assert.True(created.Json["isActive"]!.GetValue<bool>());
        Assert.True(created.Json["isDefaultCallerId"]!.GetValue<bool>(), "the first active number is the caller ID");

        var list = Items((await client.ApiGetAsync(Numbers(configId))).Expect(HttpStatusCode.OK));
        Assert.Equal(id, Assert.Single(list)["id"]!.GetValue<Guid>());

        var updated = (await client.ApiPutAsync($"{Numbers(configId)}/{id}",
            new { address = e164, label = "Renamed", inboundWorkflowId = (Guid?)null, isDefaultCallerId = true })).Expect(HttpStatusCode.OK);
        Assert.Equal("Renamed", updated.Json["label"]!.GetValue<string>());
        Assert.Null(updated.Json["inboundWorkflowId"]);
        Assert.Null(updated.Json["inboundWorkflowName"]);
        Assert.Equal(e164, updated.Json["normalizedAddress"]!.GetValue<string>());

        var config = (await client.ApiGetAsync($"{ApiCalls.Configs}/{configId}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, config.Json["configuration"]!["phoneNumberCount"]!.GetValue<int>());

        (await client.ApiDeleteAsync($"{Numbers(configId)}/{id}")).Expect(HttpStatusCode.NoContent);
        Assert.Empty(Items((await client.ApiGetAsync(Numbers(configId))).Expect(HttpStatusCode.OK)));
        (await client.ApiDeleteAsync($"{Numbers(configId)}/{id}")).Expect(HttpStatusCode.NotFound);
        (await client.ApiPutAsync($"{Numbers(configId)}/{id}", new { address = e164 })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_national_number_is_stored_in_E164_with_its_country()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Vonage())).Id;
        var local = "020 7946 " + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = (await client.ApiPostAsync(Numbers(configId), new { address = local, countryCode = "GB" })).Expect(HttpStatusCode.Created);
        Assert.Equal("+44" + local[1..].Replace(" ", ""), created.Json["normalizedAddress"]!.GetValue<string>());

        var unknown = (await client.ApiPostAsync(Numbers(configId), new { address = "020 7946 0000", countryCode = "Atlantis" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "countryCode" }, unknown.ErrorFields);
        Assert.Equal(1, await client.CountAsync(Numbers(configId)));
    }

    [Fact]
    public async Task One_default_caller_id_per_configuration()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var first = (await client.CreateNumberAsync(configId, Samples.UniqueE164())).Id;
        var second = await client.CreateNumberAsync(configId, Samples.UniqueE164());
        Assert.False(second.Json["isDefaultCallerId"]!.GetValue<bool>());

        var third = (await client.ApiPostAsync(Numbers(configId), new { address = Samples.UniqueE164(), isDefaultCallerId = true })).Expect(HttpStatusCode.Created);
        Assert.True(third.Json["isDefaultCallerId"]!.GetValue<bool>());

        var list = Items((await client.ApiGetAsync(Numbers(configId))).Expect(HttpStatusCode.OK));
        Assert.Equal(third.Id, Assert.Single(list, n => n["isDefaultCallerId"]!.GetValue<bool>())["id"]!.GetValue<Guid>());
        Assert.Equal(third.Id, list[0]["id"]!.GetValue<Guid>());

        // Making the first one default again moves the flag back.
        var firstAddress = list.Single(n => n["id"]!.GetValue<Guid>() == first)["address"]!.GetValue<string>();
        (await client.ApiPutAsync($"{Numbers(configId)}/{first}", new { address = firstAddress, isDefaultCallerId = true })).Expect(HttpStatusCode.OK);
        list = Items((await client.ApiGetAsync(Numbers(configId))).Expect(HttpStatusCode.OK));
        Assert.Equal(first, Assert.Single(list, n => n["isDefaultCallerId"]!.GetValue<bool>())["id"]!.GetValue<Guid>());

        // Another configuration's default is separate.
        var otherConfig = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        Assert.True((await client.CreateNumberAsync(otherConfig, Samples.UniqueE164())).Json["isDefaultCallerId"]!.GetValue<bool>());
        list = Items((await client.ApiGetAsync(Numbers(configId))).Expect(HttpStatusCode.OK));
        Assert.Single(list, n => n["isDefaultCallerId"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_inactive_number_is_never_the_caller_id()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var inactive = (await client.ApiPostAsync(Numbers(configId), new { address = Samples.UniqueE164(), isActive = false, isDefaultCallerId = true }))
            .Expect(HttpStatusCode.Created);
        Assert.False(inactive.Json["isActive"]!.GetValue<bool>());
        Assert.False(inactive.Json["isDefaultCallerId"]!.GetValue<bool>());

        var active = await client.CreateNumberAsync(configId, Samples.UniqueE164());
        Assert.True(active.Json["isDefaultCallerId"]!.GetValue<bool>());

        var detail = (await client.ApiGetAsync($"{ApiCalls.Configs}/{configId}")).Expect(HttpStatusCode.OK);
        var item = detail.Json["checklist"]!.AsArray().Single(i => i!["title"]!.GetValue<string>() == "At least one phone number")!;
        Assert.Equal("1 active.", item["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ARI_takes_extensions_and_SIP_URIs_as_typed_or_lower_cased()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Ari())).Id;
        var suffix = Guid.NewGuid().ToString("N")[..6];

        var extension = await client.CreateNumberAsync(configId, "8" + Random.Shared.Next(100, 999).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("extension", extension.Json["addressType"]!.GetValue<string>());

        var star = await client.CreateNumberAsync(configId, "*98" + Random.Shared.Next(10, 99).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("extension", star.Json["addressType"]!.GetValue<string>());

        var sip = await client.CreateNumberAsync(configId, $"Agent{suffix}@PBX.Example.com");
        Assert.Equal("sipUri", sip.Json["addressType"]!.GetValue<string>());
        Assert.Equal($"sip:agent{suffix}@pbx.example.com", sip.Json["normalizedAddress"]!.GetValue<string>());

        // The same URI in other case is the same routing key.
        var clash = (await client.ApiPostAsync(Numbers(configId), new { address = $"sip:AGENT{suffix}@pbx.example.com" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("address", clash.Json["field"]!.GetValue<string>());
        Assert.Equal(3, await client.CountAsync(Numbers(configId)));
    }

    [Fact]
    public async Task A_Twilio_configuration_refuses_an_extension_and_Vonage_a_SIP_URI()
    {
        var client = await NewOrganizationClientAsync();
        var twilio = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var refused = (await client.ApiPostAsync(Numbers(twilio), new { address = "8000" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "address" }, refused.ErrorFields);
        Assert.Contains("Extension", refused.ErrorText("address"));
        Assert.Contains("country", refused.ErrorText("address"));

        var vonage = (await client.CreateConfigAsync(Samples.Vonage())).Id;
        refused = (await client.ApiPostAsync(Numbers(vonage), new { address = "sip:agent@pbx.example.com" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "address" }, refused.ErrorFields);

        Assert.Equal(0, await client.CountAsync(Numbers(twilio)));
        Assert.Equal(0, await client.CountAsync(Numbers(vonage)));
    }

    [Theory]
    [InlineData("+123")]
    [InlineData("+1234567890123456")]
    [InlineData("12ab")]
    [InlineData("")]
    [InlineData("+1 415 CALL NOW")]
    public async Task Invalid_addresses_are_refused_and_nothing_is_stored(string address)
    {
        var configId = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var refused = (await Admin.ApiPostAsync(Numbers(configId), new { address })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "address" }, refused.ErrorFields);
        Assert.Equal("validation_failed", refused.Json["code"]!.GetValue<string>());
        Assert.Equal(0, await Admin.CountAsync(Numbers(configId)));
    }

    [Fact]
    public async Task An_extension_is_unique_within_its_configuration_only()
    {
        // Extension 8000 on one organization's PBX is not 8000 on another's, nor on a second PBX of the same one.
        var one = await NewOrganizationClientAsync();
        var other = await NewOrganizationClientAsync();
        var firstPbx = (await one.CreateConfigAsync(Samples.Ari(), "PBX one")).Id;
        var secondPbx = (await one.CreateConfigAsync(Samples.Ari(), "PBX two")).Id;
        var otherPbx = (await other.CreateConfigAsync(Samples.Ari())).Id;

        await one.CreateNumberAsync(firstPbx, "8000");
        (await one.ApiPostAsync(Numbers(secondPbx), new { address = "8000" })).Expect(HttpStatusCode.Created);
        (await other.ApiPostAsync(Numbers(otherPbx), new { address = "8000" })).Expect(HttpStatusCode.Created);

        var again = (await one.ApiPostAsync(Numbers(firstPbx), new { address = "8000" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("address", again.Json["field"]!.GetValue<string>());
        Assert.Contains("'PBX one'", again.Detail);

        // A number stays one configuration's across the installation, PBXs included.
        var e164 = Samples.UniqueE164();
        await one.CreateNumberAsync(firstPbx, e164);
        Assert.Contains("another organization", (await other.ApiPostAsync(Numbers(otherPbx), new { address = e164 })).Expect(HttpStatusCode.Conflict).Detail);
    }

    [Fact]
    public async Task A_duplicate_address_is_a_409_on_address_even_in_another_format()
    {
        var client = await NewOrganizationClientAsync();
        var first = (await client.CreateConfigAsync(Samples.Twilio(), "First line")).Id;
        var second = (await client.CreateConfigAsync(Samples.Twilio(), "Second line")).Id;
        var e164 = Samples.UniqueE164();
        await client.CreateNumberAsync(first, e164);

        var sameConfig = (await client.ApiPostAsync(Numbers(first), new { address = e164 })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("address", sameConfig.Json["field"]!.GetValue<string>());

        var otherFormat = (await client.ApiPostAsync(Numbers(second), new { address = "00" + e164[1..] })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("address", otherFormat.Json["field"]!.GetValue<string>());
        Assert.Equal("duplicate", otherFormat.Json["code"]!.GetValue<string>());
        Assert.Contains("'First line'", otherFormat.Detail);

        var national = (await client.ApiPostAsync(Numbers(second), new { address = e164[2..], countryCode = "US" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("address", national.Json["field"]!.GetValue<string>());

        Assert.Equal(1, await client.CountAsync(Numbers(first)));
        Assert.Equal(0, await client.CountAsync(Numbers(second)));

        // Moving another number onto the taken address is refused the same way, and changes nothing.
        var other = await client.CreateNumberAsync(second, Samples.UniqueE164());
        var otherAddress = other.Json["normalizedAddress"]!.GetValue<string>();
        (await client.ApiPutAsync($"{Numbers(second)}/{other.Id}", new { address = e164 })).Expect(HttpStatusCode.Conflict);
        var stored = Items((await client.ApiGetAsync(Numbers(second))).Expect(HttpStatusCode.OK)).Single();
        Assert.Equal(otherAddress, stored["normalizedAddress"]!.GetValue<string>());
    }

    [Fact]
    public async Task Updating_a_number_to_its_own_address_is_not_a_conflict()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var e164 = Samples.UniqueE164();
        var id = (await client.CreateNumberAsync(configId, e164)).Id;
        var updated = (await client.ApiPutAsync($"{Numbers(configId)}/{id}", new { address = " " + e164 + " ", label = "Same" })).Expect(HttpStatusCode.OK);
        Assert.Equal(e164, updated.Json["normalizedAddress"]!.GetValue<string>());
    }

    [Fact]
    public async Task Labels_and_workflows_are_validated()
    {
        var client = await NewOrganizationClientAsync();
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;

        var longLabel = (await client.ApiPostAsync(Numbers(configId), new { address = Samples.UniqueE164(), label = new string('l', 101) }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "label" }, longLabel.ErrorFields);

        var noWorkflow = (await client.ApiPostAsync(Numbers(configId), new { address = Samples.UniqueE164(), inboundWorkflowId = Guid.NewGuid() }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "inboundWorkflowId" }, noWorkflow.ErrorFields);

        var both = (await client.ApiPostAsync(Numbers(configId), new { address = "+1", inboundWorkflowId = Guid.NewGuid() }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "address", "inboundWorkflowId" }, both.ErrorFields.Order(StringComparer.Ordinal));

        Assert.Equal(0, await client.CountAsync(Numbers(configId)));
    }

    [Fact]
    public async Task Numbers_are_addressed_through_their_own_configuration()
    {
        var client = await NewOrganizationClientAsync();
        var owner = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var stranger = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var e164 = Samples.UniqueE164();
        var id = (await client.CreateNumberAsync(owner, e164)).Id;

        (await client.ApiPutAsync($"{Numbers(stranger)}/{id}", new { address = e164, label = "hijack" })).Expect(HttpStatusCode.NotFound);
        (await client.ApiDeleteAsync($"{Numbers(stranger)}/{id}")).Expect(HttpStatusCode.NotFound);
        (await client.ApiGetAsync(Numbers(Guid.NewGuid()))).Expect(HttpStatusCode.NotFound);
        (await client.ApiPostAsync(Numbers(Guid.NewGuid()), new { address = Samples.UniqueE164() })).Expect(HttpStatusCode.NotFound);

        var number = Items((await client.ApiGetAsync(Numbers(owner))).Expect(HttpStatusCode.OK)).Single();
        Assert.Null(number["label"]);
    }

    [Fact]
    public async Task A_label_with_control_characters_is_refused_and_nothing_is_stored()
    {
        var configId = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var response = await Admin.ApiPostAsync($"{ApiCalls.Configs}/{configId}/phone-numbers",
            new { address = Samples.UniqueE164(), label = "Support\nline" });

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Contains("one line", response.Json["errors"]!["label"]![0]!.GetValue<string>());
        Assert.Equal(0, await Admin.CountAsync($"{ApiCalls.Configs}/{configId}/phone-numbers"));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[Trait("Category", "Host")]
[NeedsServers]
public sealed class PhoneNumberApiTestsOnPostgres(PostgresAppFactory factory) : PhoneNumberApiTests(factory), IClassFixture<PostgresAppFactory>;
