using System.Net;
using Bunit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Pages;
using DograhConsole.Web.Components.Pages.Calls;
using DograhConsole.Web.Components.Pages.Settings;
using DograhConsole.Web.Components.Pages.Telephony;
using DograhConsole.Web.Components.Pages.Workflows;

namespace DograhConsole.Tests.Web.Components;

/// <summary>Pages with data, against the real Core services.</summary>
[Trait("Category", "Unit")]
public sealed class PagesComponentTests : ConsoleComponentTest, IClassFixture<DograhAppFactory>
{
    private const string AuthToken = "f00dfeed0123456789abcdef99887766";

    public PagesComponentTests(DograhAppFactory app) : base(app)
    {
    }

    [Fact]
    public async Task Configuration_detail_shows_masked_credentials_setup_values_and_numbers_but_never_the_secret()
    {
        var workflow = (await Service<WorkflowService>().CreateAsync(new WorkflowInput { Name = "Reception " + Guid.NewGuid() })).Value!;
        var configuration = await CreateTwilioAsync("Detail " + Guid.NewGuid());
        var number = await Service<PhoneNumberService>().CreateAsync(configuration.Id,
            new PhoneNumberInput { Address = "020 7946 0" + Random.Shared.Next(100, 999), CountryCode = "GB", InboundWorkflowId = workflow.Id });
        Assert.True(number.Succeeded, number.Describe());

        var cut = RenderPage<ConfigurationDetailPage>(p => p.Add(c => c.Id, configuration.Id));

        cut.WaitForAssertion(() => Assert.Equal(configuration.Name, cut.Find("h1").TextContent.Trim()));
        var html = WebUtility.HtmlDecode(cut.Markup);
        Assert.DoesNotContain(AuthToken, html);
        Assert.Equal("••••••••7766", cut.Find("[data-credential=authToken]").TextContent);
        Assert.Contains(DograhAppFactory.PublicBaseUrl + "/api/v1/telephony/inbound/run", cut.Find("[data-copy='Inbound webhook URL']").TextContent);
        Assert.NotNull(cut.Find($"#numbers-table [data-address='{number.Value!.NormalizedAddress}']"));
        Assert.Contains(workflow.Name, cut.Find("#numbers-table").TextContent);
        Assert.Equal("Ready", cut.Find("[data-status]").GetAttribute("data-status"));
        Assert.All(cut.FindAll("button"), b => Assert.False(string.IsNullOrWhiteSpace(b.GetAttribute("aria-label") ?? b.TextContent), b.OuterHtml));
    }

    [Fact]
    public async Task Telephony_page_shows_each_configuration_with_why_it_is_not_ready()
    {
        var name = "Incomplete " + Guid.NewGuid();
        // The organization's first configuration becomes its default; this one must not be, whatever ran before.
        await CreateTwilioAsync("Default " + Guid.NewGuid());
        await CreateTwilioAsync(name);

        var cut = RenderPage<TelephonyPage>();

        cut.WaitForAssertion(() => Assert.Contains("Set-up incomplete: Add a phone number to receive calls and to call from.",
            cut.Find($"[data-configuration='{name}']").TextContent));
        Assert.DoesNotContain(AuthToken, cut.Markup);
        Assert.NotNull(cut.Find($"[data-configuration='{name}'] button[aria-label='Make {name} the default for outbound calls']"));
    }

    [Fact]
    public async Task Workflows_page_lists_the_workflows_with_links_and_named_actions()
    {
        var name = "Listed " + Guid.NewGuid();
        var workflow = (await Service<WorkflowService>().CreateAsync(new WorkflowInput { Name = name })).Value!;

        var cut = RenderPage<WorkflowsPage>();

        cut.WaitForAssertion(() => Assert.Contains(name, cut.Find("#workflows-table").TextContent));
        Assert.NotNull(cut.Find($"#workflows-table a[href='workflows/{workflow.Id}']"));
        Assert.NotNull(cut.Find($"button[aria-label='Rename {name}']"));
        Assert.Equal("Search workflows", cut.Find("label[for=workflow-search]").TextContent.Trim());
    }

    [Fact]
    public async Task Call_pages_show_a_live_call_in_the_list_its_detail_with_controls_and_the_history_row()
    {
        var organizationId = await App.FirstOrganizationIdAsync();
        var call = await App.CreateCallAsync(new NewCall(organizationId, "twilio", CallDirection.Inbound, "+14155550177", "+14155550199")
        { InitialStatus = CallStatus.InProgress });

        var live = RenderPage<LiveCallsPage>();
        live.WaitForAssertion(() => Assert.Contains("+14155550177 → +14155550199", live.Find($"#live-calls tr:has([data-call-id='{call.Id}'])").TextContent));
        Assert.Equal("in-progress", live.Find($"[data-call-id='{call.Id}']").GetAttribute("data-status"));
        Assert.NotNull(live.Find("button[aria-label='Hang up the call to +14155550199']"));

        var detail = RenderPage<CallDetailPage>(p => p.Add(c => c.Id, call.Id));
        detail.WaitForAssertion(() => Assert.Equal("in-progress", detail.Find("#call-state [data-call-status]").TextContent.Trim()));
        Assert.Contains("Inbound call +14155550177 → +14155550199", detail.Find("h1").TextContent);
        Assert.NotNull(detail.Find("button.transfer"));

        var history = RenderPage<CallHistoryPage>();
        history.WaitForAssertion(() => Assert.NotNull(history.Find($"#calls-table a[href='calls/{call.Id}']")));

        await App.Calls().CancelAsync(call.Id, "test");
    }

    [Fact]
    public async Task Dashboard_counts_and_lists_the_configurations_that_need_attention()
    {
        var name = "Attention " + Guid.NewGuid();
        await CreateTwilioAsync(name);

        var cut = RenderPage<DashboardPage>();

        cut.WaitForAssertion(() => Assert.Contains(name, cut.Find("#attention").TextContent));
        Assert.NotEqual("0", cut.Find("#configuration-count").TextContent);
    }

    [Fact]
    public void Api_keys_page_lists_the_bootstrap_key_and_shows_a_create_error_beside_its_field()
    {
        var cut = RenderPage<ApiKeysPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#api-keys-table")));

        cut.Find("form.inline-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("mud-input-error", cut.Find("#api-key-name").ParentElement!.ParentElement!.ParentElement!.OuterHtml));
        Assert.Empty(cut.FindAll("#new-api-key"));
    }

    private async Task<TelephonyConfigurationView> CreateTwilioAsync(string name)
    {
        var result = await Service<TelephonyConfigurationService>().CreateAsync(new TelephonyConfigurationInput
        {
            Name = name,
            Provider = "twilio",
            Credentials = new() { ["accountSid"] = "AC" + Guid.NewGuid().ToString("N"), ["authToken"] = AuthToken },
        });
        Assert.True(result.Succeeded, result.Describe());
        return result.Value!;
    }
}
