using System.Net;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Pages.Telephony;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Components;

[Trait("Category", "Host")]
public sealed class TelephonyComponentTests : IClassFixture<DograhAppFactory>
{
    private const string AuthToken = "f00dfeed0123456789abcdef99887766";
    private readonly DograhAppFactory _app;

    public TelephonyComponentTests(DograhAppFactory app) => _app = app;

    [Fact]
    public async Task Detail_page_shows_masked_credentials_setup_values_and_numbers_but_never_the_secret()
    {
        await using var host = new ComponentHost(_app);
        var workflow = (await host.Services.GetRequiredService<WorkflowService>().CreateAsync(new WorkflowInput { Name = "Reception " + Guid.NewGuid() })).Value!;
        var configuration = await CreateTwilioAsync(host, "Detail " + Guid.NewGuid());
        var number = await host.Services.GetRequiredService<PhoneNumberService>().CreateAsync(configuration.Id,
            new PhoneNumberInput { Address = "020 7946 0" + Random.Shared.Next(100, 999), CountryCode = "GB", InboundWorkflowId = workflow.Id });
        Assert.True(number.Succeeded, number.Describe());

        var html = WebUtility.HtmlDecode(await host.RenderAsync<ConfigurationDetailPage>(new Dictionary<string, object?> { ["Id"] = configuration.Id }));

        Assert.DoesNotContain(AuthToken, html);
        Assert.Contains("••••••••7766", html);
        Assert.Contains(DograhAppFactory.PublicBaseUrl + "/api/v1/telephony/inbound/run", html);
        Assert.Contains(number.Value!.NormalizedAddress, html);
        Assert.StartsWith("+44207946", number.Value.NormalizedAddress);
        Assert.Contains(workflow.Name, html);
        Assert.Contains("data-status=\"Ready\"", html);
    }

    [Fact]
    public async Task Telephony_page_shows_each_configuration_with_why_it_is_not_ready()
    {
        await using var host = new ComponentHost(_app);
        var name = "Incomplete " + Guid.NewGuid();
        await CreateTwilioAsync(host, name);

        var html = WebUtility.HtmlDecode(await host.RenderAsync<TelephonyPage>());

        Assert.Contains($"data-configuration=\"{name}\"", html);
        Assert.Contains("Set-up incomplete: Add a phone number to receive calls and to call from.", html);
        Assert.DoesNotContain(AuthToken, html);
    }

    [Fact]
    public async Task Credential_input_marks_required_fields_and_explains_masked_secrets_when_editing()
    {
        await using var host = new ComponentHost(_app);
        var authToken = host.Services.GetRequiredService<ProviderRegistry>().Get("twilio").Field("authToken")!;

        var editing = WebUtility.HtmlDecode(await host.RenderAsync<CredentialInput>(new Dictionary<string, object?>
        {
            ["Field"] = authToken,
            ["Value"] = "••••••••abcd",
            ["IsEdit"] = true,
            ["Errors"] = new Dictionary<string, string[]> { ["credentials.authToken"] = ["Auth token is required."] },
        }));
        var creating = WebUtility.HtmlDecode(await host.RenderAsync<CredentialInput>(new Dictionary<string, object?> { ["Field"] = authToken }));

        Assert.Contains("Auth token *", editing);
        Assert.Contains("Leave it as it is to keep it", editing);
        Assert.Contains("Auth token is required.", editing);
        Assert.DoesNotContain("Leave it as it is to keep it", creating);
        Assert.DoesNotContain("field-error", creating);
    }

    private static async Task<TelephonyConfigurationView> CreateTwilioAsync(ComponentHost host, string name)
    {
        var result = await host.Services.GetRequiredService<TelephonyConfigurationService>().CreateAsync(new TelephonyConfigurationInput
        {
            Name = name,
            Provider = "twilio",
            Credentials = new() { ["accountSid"] = "AC" + Guid.NewGuid().ToString("N"), ["authToken"] = AuthToken },
        });
        Assert.True(result.Succeeded, result.Describe());
        return result.Value!;
    }
}
