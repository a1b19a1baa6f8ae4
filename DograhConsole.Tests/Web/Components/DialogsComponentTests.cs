using Bunit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Pages.Calls;
using DograhConsole.Web.Components.Pages.Telephony;
using DograhConsole.Web.Components.Pages.Workflows;

namespace DograhConsole.Tests.Web.Components;

/// <summary>The dialogs, opened through IDialogService as the pages open them.</summary>
[Trait("Category", "Unit")]
public sealed class DialogsComponentTests : ConsoleComponentTest, IClassFixture<DograhAppFactory>
{
    public DialogsComponentTests(DograhAppFactory app) : base(app)
    {
    }

    [Fact]
    public async Task Configuration_dialog_labels_every_field_and_shows_errors_beside_them_when_saving_fails()
    {
        var (provider, result) = await OpenAsync(d => ConfigurationDialog.OpenAsync(d, null));
        Assert.Contains("Add telephony configuration", provider.Find("[role=dialog] h2").TextContent);
        Assert.NotNull(provider.Find("button[aria-label=Close]"));
        Assert.True(provider.Find("#save-configuration").HasAttribute("disabled"));

        await provider.InvokeAsync(() => provider.FindComponent<MudBlazor.MudSelect<string>>().Instance.ValueChanged.InvokeAsync("vonage"));
        provider.WaitForAssertion(() => Assert.NotNull(provider.Find("#field-applicationId")));
        foreach (var input in provider.FindAll("[role=dialog] input:not([type=hidden]), [role=dialog] textarea"))
        {
            var id = input.GetAttribute("id");
            Assert.False(string.IsNullOrEmpty(id), input.OuterHtml);
            Assert.NotNull(provider.Find($"label[for='{id}']"));
        }
        provider.Find("#field-applicationId").Change("not-a-uuid");
        provider.WaitForAssertion(() => Assert.Contains("8-4-4-4-12", provider.Find("[data-field='credentials.applicationId'].field-error").TextContent));

        await provider.Find("#configuration-form").SubmitAsync();

        provider.WaitForAssertion(() => Assert.Contains("is required", provider.Find("[data-field='credentials.apiKey'].field-error").TextContent));
        Assert.Contains("Please correct the highlighted fields.", provider.Find("#configuration-form-error").TextContent);
        Assert.False(result.IsCompleted);
    }

    [Fact]
    public void Credential_input_marks_required_fields_and_explains_masked_secrets_when_editing()
    {
        var authToken = Service<ProviderRegistry>().Get("twilio").Field("authToken")!;

        var editing = Render<CredentialInput>(p => p.Add(c => c.Field, authToken).Add(c => c.Value, "••••••••abcd").Add(c => c.IsEdit, true)
            .Add(c => c.Errors, new Dictionary<string, string[]> { ["credentials.authToken"] = ["Auth token is required."] }));
        var creating = Render<CredentialInput>(p => p.Add(c => c.Field, authToken));

        Assert.Equal("Auth token *", editing.Find("label[for=field-authToken]").TextContent.Trim());
        Assert.Equal("password", editing.Find("#field-authToken").GetAttribute("type"));
        Assert.Contains("Leave it as it is to keep it", editing.Markup);
        Assert.Equal("Auth token is required.", editing.Find(".field-error").TextContent);
        Assert.DoesNotContain("Leave it as it is to keep it", creating.Markup);
        Assert.Empty(creating.FindAll(".field-error"));
    }

    [Fact]
    public async Task Phone_number_dialog_previews_the_normalized_address_and_lists_the_workflows()
    {
        var configuration = await CreateTwilioAsync();

        var (provider, _) = await OpenAsync(d => PhoneNumberDialog.OpenAsync(d, configuration, null));
        Assert.Contains("Add number", provider.Find("[role=dialog] h2").TextContent);
        provider.Find("#address").Input("+1 415 555 0100");

        provider.WaitForAssertion(() => Assert.Contains("+14155550100", provider.Find("#address-preview").TextContent));
        Assert.Equal("Inbound workflow", provider.Find("label[for=inboundWorkflow]").TextContent.Trim());
        Assert.Equal("Country (for national numbers)", provider.Find("label[for=countryCode]").TextContent.Trim());
    }

    [Fact]
    public async Task Phone_call_dialog_checks_the_number_when_left_and_names_its_button_start_call()
    {
        var configuration = await CreateTwilioAsync();
        var number = await Service<PhoneNumberService>().CreateAsync(configuration.Id, new PhoneNumberInput { Address = "+1415555" + Random.Shared.Next(1000, 9999) });
        Assert.True(number.Succeeded, number.Describe());

        var (provider, _) = await OpenAsync(d => PhoneCallDialog.OpenAsync(d, Guid.NewGuid(), "Support"));
        provider.WaitForAssertion(() => Assert.NotNull(provider.Find("#call-to")));
        Assert.Equal("Start call", provider.Find("#start-call").GetAttribute("aria-label"));
        Assert.NotNull(provider.Find("label[for=call-configuration]"));
        Assert.NotNull(provider.Find("label[for=call-from]"));
        // Twilio offers voicemail detection: the dialog asks, off by default.
        Assert.Equal("Voicemail detection", provider.Find("label[for=call-voicemail-detection]").TextContent.Trim());
        Assert.Equal("Off", provider.Find("#call-voicemail-detection").GetAttribute("value"));

        provider.Find("#call-to").Change("415 555");

        provider.WaitForAssertion(() => Assert.Contains("international format", provider.Find(".field-error[data-field=toNumber]").TextContent));
        provider.Find("#call-to").Change("+1 (415) 555-0123");
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll(".field-error[data-field=toNumber]")));
        Assert.Equal("Calls +14155550123.", provider.Find("#call-to-help").TextContent.Trim());
    }

    [Fact]
    public async Task Transfer_dialog_keeps_the_error_of_a_refused_transfer_open()
    {
        var organizationId = await App.FirstOrganizationIdAsync();
        var call = await App.CreateCallAsync(new NewCall(organizationId, "twilio", CallDirection.Inbound, "+14155550177", "+14155550199")
        { InitialStatus = CallStatus.InProgress });

        var (provider, result) = await OpenAsync(d => TransferDialog.OpenAsync(d, call));
        Assert.Contains("Transfer call", provider.Find("[role=dialog] h2").TextContent);
        Assert.Equal("Transfer to", provider.Find("label[for=transfer-to]").TextContent.Trim());

        await provider.Find("#transfer-form").SubmitAsync();

        provider.WaitForAssertion(() => Assert.NotEmpty(provider.FindAll(".field-error, #transfer-error")));
        Assert.False(result.IsCompleted);
        await App.Calls().CancelAsync(call.Id, "test");
    }

    private async Task<TelephonyConfigurationView> CreateTwilioAsync()
    {
        var result = await Service<TelephonyConfigurationService>().CreateAsync(new TelephonyConfigurationInput
        {
            Name = "Dialog " + Guid.NewGuid(),
            Provider = "twilio",
            Credentials = new() { ["accountSid"] = "AC" + Guid.NewGuid().ToString("N"), ["authToken"] = "f00dfeed0123456789abcdef99887766" },
        });
        Assert.True(result.Succeeded, result.Describe());
        return result.Value!;
    }
}
