using Bunit;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Pages;
using DograhConsole.Web.Components.Pages.Audit;
using DograhConsole.Web.Components.Pages.Calls;
using DograhConsole.Web.Components.Pages.Campaigns;
using DograhConsole.Web.Components.Pages.Telephony;
using DograhConsole.Web.Components.Pages.Workflows;

namespace DograhConsole.Tests.Web.Components;

/// <summary>Every page of an organization that has nothing yet (this class's app holds only the first admin), and detail pages of ids that do not exist.</summary>
[Trait("Category", "Unit")]
public sealed class EmptyPagesComponentTests : ConsoleComponentTest, IClassFixture<DograhAppFactory>
{
    public EmptyPagesComponentTests(DograhAppFactory app) : base(app)
    {
    }

    [Fact]
    public void Dashboard_asks_to_connect_a_provider_and_says_there_were_no_calls_today()
    {
        var cut = RenderPage<DashboardPage>();

        cut.WaitForAssertion(() => Assert.Contains("Connect a phone provider", cut.Find(".empty-state").TextContent));
        Assert.Equal("0", cut.Find("#active-now").TextContent.Trim());
        Assert.NotNull(cut.Find("#no-calls-today"));
        Assert.Equal("telephony", cut.Find(".empty-state a").GetAttribute("href"));
    }

    [Theory]
    [InlineData(typeof(TelephonyPage), "No phone provider connected yet")]
    [InlineData(typeof(WorkflowsPage), "No workflows yet")]
    [InlineData(typeof(LiveCallsPage), "No calls right now")]
    [InlineData(typeof(CampaignsPage), "No campaigns yet")]
    [InlineData(typeof(PromptsPage), "No prompts yet")]
    public void List_pages_explain_what_to_do_first(Type page, string title)
    {
        RenderPopoverProvider();
        var cut = Context.Render(builder => { builder.OpenComponent(0, page); builder.CloseComponent(); });

        cut.WaitForAssertion(() => Assert.Contains(title, cut.Find(".empty-state h2").TextContent));
        Assert.Single(cut.FindAll("h1"));
    }

    [Fact]
    public void Call_history_says_there_are_no_calls_yet()
    {
        var cut = RenderPage<CallHistoryPage>();

        cut.WaitForAssertion(() => Assert.Contains("No calls yet", cut.Find("#calls-empty").TextContent));
        Assert.Equal("Call history", cut.Find("h1").TextContent.Trim());
        Assert.Contains("/api/v1/calls/export", cut.Find("#export-csv").GetAttribute("href"));
    }

    [Fact]
    public void New_campaign_says_a_workflow_and_a_configuration_are_missing()
    {
        var cut = RenderPage<NewCampaignPage>();

        cut.WaitForAssertion(() => Assert.Contains("A campaign needs", cut.Find("#campaign-missing").TextContent));
        Assert.NotNull(cut.Find("#campaign-missing a[href=workflows]"));
        Assert.NotNull(cut.Find("#campaign-missing a[href=telephony]"));
        Assert.True(cut.Find("#campaign-create").HasAttribute("disabled"));
    }

    [Fact]
    public void Audit_log_renders_its_grid_and_filters()
    {
        var cut = RenderPage<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#audit-table table")));
        Assert.Equal("What", cut.Find("label[for=audit-type]").TextContent.Trim());
        Assert.Equal("Search name or actor", cut.Find("label[for=audit-search]").TextContent.Trim());
    }

    [Theory]
    [InlineData(typeof(ConfigurationDetailPage), "Configuration not found", "telephony")]
    [InlineData(typeof(WorkflowEditorPage), "Workflow not found", "workflows")]
    [InlineData(typeof(CallDetailPage), "Call not found", "calls")]
    [InlineData(typeof(CampaignProgressPage), "Campaign not found", "campaigns")]
    public void Detail_pages_of_an_unknown_id_say_so_and_lead_back(Type page, string title, string back)
    {
        RenderPopoverProvider();
        var cut = Context.Render(builder =>
        {
            builder.OpenComponent(0, page);
            builder.AddAttribute(1, "Id", Guid.NewGuid());
            builder.CloseComponent();
        });

        cut.WaitForAssertion(() => Assert.Contains(title, cut.Find(".empty-state h2").TextContent));
        Assert.Equal(back, cut.Find(".empty-state a").GetAttribute("href"));
    }

    [Fact]
    public async Task Phone_call_dialog_without_a_provider_says_so_and_links_to_telephony()
    {
        var (provider, _) = await OpenAsync(d => PhoneCallDialog.OpenAsync(d, Guid.NewGuid(), "Support"));

        provider.WaitForAssertion(() => Assert.Contains("No phone provider is connected yet", provider.Find("#connect-provider").TextContent));
        Assert.Equal("telephony", provider.Find("#go-telephony").GetAttribute("href"));
        Assert.Contains("Phone call with Support", provider.Find("[role=dialog] h2").TextContent);
        Assert.NotNull(provider.Find("button[aria-label=Close]"));
    }
}
