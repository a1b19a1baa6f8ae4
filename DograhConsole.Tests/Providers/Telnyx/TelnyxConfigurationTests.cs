using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>Saving a Telnyx configuration: the form's fields from the spec, and the credential check against the API.</summary>
[Trait("Category", "Host")]
public sealed class TelnyxConfigurationTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    [Fact]
    public async Task The_form_has_the_key_the_application_and_the_public_key_and_the_key_is_sensitive()
    {
        var providers = (await host.Admin.ApiGetAsync("/api/v1/telephony/providers")).Expect(HttpStatusCode.OK).Json.AsArray();
        var telnyx = providers.Single(p => (string?)p!["name"] == "telnyx")!;
        var fields = telnyx["fields"]!.AsArray().ToDictionary(f => (string)f!["name"]!, f => f!);

        Assert.Equal(["apiKey", "connectionId", "publicKey", "apiBaseUrl"], fields.Keys);
        Assert.True((bool)fields["apiKey"]["sensitive"]!);
        Assert.False((bool)fields["publicKey"]["sensitive"]!);
        Assert.Equal("ulaw 8 kHz", (string?)telnyx["mediaFormat"]);
    }

    [Fact]
    public async Task A_good_configuration_saves_masks_its_key_and_the_key_went_only_to_the_telnyx_api()
    {
        await using var telnyx = await host.NewTelnyxAsync();

        var saved = await host.Admin.CreateConfigAsync(new SampleCredentials("telnyx", telnyx.Account.Credentials(telnyx.BaseUrl), []));

        SecretAssert.NotIn(saved.Text, [telnyx.Account.ApiKey], "the saved configuration");
        var check = Assert.Single(telnyx.RequestsTo("GET", "/v2/call_control_applications/" + telnyx.Account.ConnectionId));
        Assert.Equal("Bearer " + telnyx.Account.ApiKey, check.Authorization);
        var stored = await host.App.StoredCredentialsAsync(saved.Id);
        Assert.Equal(telnyx.Account.ApiKey, stored["apiKey"]);
    }

    [Theory]
    [InlineData("apiKey", "KEYwrong_0123")]
    [InlineData("connectionId", "999999")]
    public async Task A_key_or_application_telnyx_refuses_is_a_field_error_and_nothing_is_saved(string field, string value)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var values = telnyx.Account.Credentials(telnyx.BaseUrl);
        values[field] = value;
        var name = Samples.UniqueName("Telnyx");

        var refused = (await host.Admin.ApiPostAsync(ApiCalls.Configs, new { name, provider = "telnyx", credentials = values })).Expect(HttpStatusCode.BadRequest);

        Assert.Equal(["credentials." + field], refused.ErrorFields);
        Assert.Contains(field == "apiKey" ? "Telnyx refused the API key" : "has no Call Control application 999999", refused.ErrorText("credentials." + field));
        SecretAssert.NotIn(refused.Text, [value == "KEYwrong_0123" ? value : telnyx.Account.ApiKey], "the error response");
        var list = (await host.Admin.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK).Text;
        Assert.DoesNotContain(name, list);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    [InlineData("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURoAAA==")]
    public async Task A_public_key_that_is_not_32_bytes_of_base64_is_refused_before_any_request(string publicKey)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var values = telnyx.Account.Credentials(telnyx.BaseUrl);
        values["publicKey"] = publicKey;

        var refused = (await host.Admin.ApiPostAsync(ApiCalls.Configs, new { name = Samples.UniqueName("Telnyx"), provider = "telnyx", credentials = values }))
            .Expect(HttpStatusCode.BadRequest);

        Assert.Equal(["credentials.publicKey"], refused.ErrorFields);
        Assert.Empty(telnyx.Requests);
    }
}
