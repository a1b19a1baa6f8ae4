using Bunit;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Layout;
using DograhConsole.Web.Components.Pages.Settings;
using DograhConsole.Web.Components.Pages.Workflows;
using MudBlazor;

namespace DograhConsole.Tests.Web.Components;

/// <summary>The team, organization and organizations pages, and what each role is shown.</summary>
[Trait("Category", "Unit")]
public sealed class TeamPagesComponentTests(DograhAppFactory app) : ConsoleComponentTest(app), IClassFixture<DograhAppFactory>
{
    [Fact]
    public async Task Team_page_invites_with_a_link_shown_once_and_lists_the_open_invitation()
    {
        var email = $"new-{Guid.NewGuid():N}@dograh.test";
        var cut = RenderPage<TeamPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#team-members")));

        cut.Find("#invite-email").Input(email);
        cut.Find("form.inline-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(TeamService.InvitePathPrefix, cut.Find("#invite-link").TextContent));
        var link = cut.Find("#invite-link [data-copy]").TextContent;
        Assert.Contains(email, cut.Find("#team-invitations").TextContent);
        // The link's token opens the invitation; the page lists the e-mail, never the token.
        var token = link[(link.IndexOf(TeamService.InvitePathPrefix, StringComparison.Ordinal) + TeamService.InvitePathPrefix.Length)..];
        Assert.Equal(email, (await Service<TeamService>().PreviewAsync(token))?.Email);
        Assert.Equal(1, cut.Markup.Split(link).Length - 1);
    }

    [Fact]
    public async Task Team_page_removes_a_member_and_an_admin_cannot_touch_owners()
    {
        var viewer = await App.CreateUserAsync(OrganizationRole.Viewer);
        var owner = await App.CreateUserAsync(OrganizationRole.Owner);
        SignInAs(OrganizationRole.Admin);
        var cut = RenderPage<TeamPage>();
        cut.WaitForAssertion(() => Assert.Contains(viewer.Email, cut.Find("#team-members").TextContent));

        Assert.Empty(cut.FindAll($"[aria-label='Remove {owner.Email}']"));
        Assert.Empty(cut.FindAll($"[aria-label='Role of {owner.Email}']"));
        Assert.DoesNotContain(cut.FindComponents<MudSelectItem<OrganizationRole>>(), item => item.Instance.Value == OrganizationRole.Owner);

        var dialogs = Context.Render<MudDialogProvider>();
        await cut.InvokeAsync(() => cut.Find($"[aria-label='Remove {viewer.Email}']").Click());
        await dialogs.WaitForElementAsync("[role=dialog]");
        await dialogs.InvokeAsync(() => dialogs.FindAll("[role=dialog] button").Single(b => b.TextContent.Trim() == "Remove").Click());

        cut.WaitForAssertion(() => Assert.DoesNotContain(viewer.Email, cut.Find("#team-members").TextContent));
        Assert.DoesNotContain((await Service<TeamService>().ListAsync()).Members, m => m.Email == viewer.Email);
    }

    [Fact]
    public async Task Team_page_changes_a_role()
    {
        var operatorUser = await App.CreateUserAsync(OrganizationRole.Operator);
        var cut = RenderPage<TeamPage>();
        cut.WaitForAssertion(() => Assert.Contains(operatorUser.Email, cut.Find("#team-members").TextContent));

        var select = cut.FindComponents<MudSelect<OrganizationRole>>().Single(s => s.Instance.UserAttributes.TryGetValue("aria-label", out var label) && (string)label! == $"Role of {operatorUser.Email}");
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(OrganizationRole.Viewer));

        var team = await Service<TeamService>().ListAsync();
        Assert.Equal(OrganizationRole.Viewer, team.Members.Single(m => m.Id == operatorUser.Id).Role);
    }

    [Fact]
    public void Organization_page_saves_the_settings_and_only_the_installation_owner_edits_the_limit()
    {
        var cut = RenderPage<OrganizationSettingsPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#organization-time-zone")));
        Assert.False(cut.Find("#organization-limit").HasAttribute("disabled"));

        cut.Find("#organization-time-zone").Input("Europe/Berlin");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Europe/Berlin", Service<OrganizationService>().GetCurrentAsync().Result.DefaultTimeZone));

        SignInAs(OrganizationRole.Admin);
        var asAdmin = RenderPage<OrganizationSettingsPage>();
        asAdmin.WaitForAssertion(() => Assert.True(asAdmin.Find("#organization-limit").HasAttribute("disabled")));
        asAdmin.Find("#organization-time-zone").Input("Mars/Olympus");
        asAdmin.Find("form").Submit();
        asAdmin.WaitForAssertion(() => Assert.Contains("Unknown time zone", asAdmin.Find("[data-field=defaultTimeZone]").TextContent));
    }

    [Fact]
    public void Organizations_page_creates_an_organization_with_its_owner_link()
    {
        var name = "Tenant " + Guid.NewGuid().ToString("N")[..8];
        var cut = RenderPage<OrganizationsPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#organizations-table")));

        cut.Find("#new-organization-name").Input(name);
        cut.Find("#new-organization-owner").Input($"owner-{Guid.NewGuid():N}@tenant.test");
        cut.Find("form.inline-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(TeamService.InvitePathPrefix, cut.Find("#owner-link").TextContent));
        Assert.Contains(name, cut.Find("#organizations-table").TextContent);
    }

    [Theory]
    [InlineData(OrganizationRole.Viewer, false, 7)]
    [InlineData(OrganizationRole.Operator, false, 7)]
    [InlineData(OrganizationRole.Admin, false, 12)]
    [InlineData(OrganizationRole.Owner, true, 13)]
    public void Navigation_shows_each_role_its_pages(OrganizationRole role, bool installationOwner, int links)
    {
        SignInAs(role, installationOwner);
        Context.JSInterop.Setup<string?>("dograh.loadSetting", _ => true).SetResult(null);
        var cut = Render<NavMenu>();
        var hrefs = cut.FindAll(".mud-navmenu a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(links, hrefs.Count);
        Assert.Equal(role >= OrganizationRole.Admin, hrefs.Contains("telephony"));
        Assert.Equal(role >= OrganizationRole.Admin, hrefs.Contains("settings/api-keys"));
        Assert.Equal(installationOwner, hrefs.Contains("settings/organizations"));
    }

    [Fact]
    public void A_viewer_reads_workflows_without_the_controls_that_change_them()
    {
        SignInAs(OrganizationRole.Viewer);
        var cut = RenderPage<WorkflowsPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("h1")));
        Assert.Empty(cut.FindAll("#new-workflow"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Contains("Create your first workflow", StringComparison.Ordinal));
    }
}
