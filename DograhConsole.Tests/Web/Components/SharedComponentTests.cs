using Bunit;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Layout;
using DograhConsole.Web.Components.Shared;
using MudBlazor;

namespace DograhConsole.Tests.Web.Components;

[Trait("Category", "Unit")]
public sealed class SharedComponentTests : ConsoleComponentTest, IClassFixture<DograhAppFactory>
{
    public SharedComponentTests(DograhAppFactory app) : base(app)
    {
    }

    [Fact]
    public void Page_header_puts_the_title_in_the_h1_with_the_way_back_and_the_actions()
    {
        var cut = Render<PageHeader>(p => p
            .Add(h => h.Title, "Call history").Add(h => h.BackHref, "calls/live").Add(h => h.BackText, "Live calls")
            .Add(h => h.Actions, "<button id=\"act\">Act</button>"));

        Assert.Equal("Call history", cut.Find("h1").TextContent.Trim());
        Assert.Equal("calls/live", cut.Find("a.back-link").GetAttribute("href"));
        Assert.NotNull(cut.Find(".page-actions #act"));
    }

    [Fact]
    public void Detail_frame_shows_a_skeleton_while_loading_the_way_back_when_not_found_and_else_its_content()
    {
        var loading = Render<DetailFrame>(p => p.Add(f => f.Loading, true).Add(f => f.BackHref, "calls").Add(f => f.ChildContent, "<p id=\"content\">x</p>"));
        Assert.Equal("Loading", loading.Find("[role=status]").GetAttribute("aria-label"));
        Assert.NotEmpty(loading.FindAll(".mud-skeleton"));
        Assert.Empty(loading.FindAll("#content"));

        var notFound = Render<DetailFrame>(p => p.Add(f => f.NotFound, true).Add(f => f.NotFoundTitle, "Call not found").Add(f => f.BackHref, "calls")
            .Add(f => f.BackText, "Go to call history").Add(f => f.ChildContent, "<p id=\"content\">x</p>"));
        Assert.Contains("Call not found", notFound.Find(".empty-state h2").TextContent);
        Assert.Equal("calls", notFound.Find(".empty-state a").GetAttribute("href"));
        Assert.Empty(notFound.FindAll("#content"));

        var shown = Render<DetailFrame>(p => p.Add(f => f.BackHref, "calls").Add(f => f.ChildContent, "<p id=\"content\">x</p>"));
        Assert.NotNull(shown.Find("#content"));
    }

    [Fact]
    public void Error_alert_is_an_alert_with_its_message_and_renders_nothing_without_one()
    {
        var cut = Render<ErrorAlert>(p => p.Add(a => a.Message, "The provider refused the call.").Add(a => a.Id, "oops"));
        Assert.Equal("alert", cut.Find("#oops").GetAttribute("role"));
        Assert.Contains("The provider refused the call.", cut.Find("#oops").TextContent);

        Assert.Empty(Render<ErrorAlert>().Markup.Trim());
        Assert.Equal("status", Render<ErrorAlert>(p => p.Add(a => a.Message, "heads up").Add(a => a.Severity, Severity.Warning)).Find(".alert").GetAttribute("role"));
    }

    [Fact]
    public async Task Confirm_dialog_is_a_titled_dialog_with_a_close_button_and_answers_true_only_when_confirmed()
    {
        var (provider, answer) = await OpenAsync(d => ConfirmDialog.AskAsync(d, "Delete workflow", "Delete workflow 'x'? This cannot be undone.", "Delete"));

        var dialog = provider.Find("[role=dialog]");
        Assert.Contains("Delete workflow", provider.Find(".dialog-title-row h2").TextContent);
        Assert.Contains("This cannot be undone.", dialog.TextContent);
        Assert.NotNull(provider.Find("button[aria-label=Close]"));
        await provider.Find("#confirm-form").SubmitAsync();
        Assert.True(await answer);
    }

    [Fact]
    public async Task Confirm_dialog_closed_with_its_close_button_answers_false()
    {
        var (provider, answer) = await OpenAsync(d => ConfirmDialog.AskAsync(d, "Hang up", "Hang up the call?", "Hang up", "Keep the call"));

        await provider.Find("button[aria-label=Close]").ClickAsync();

        Assert.False(await answer);
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[role=dialog]")));
    }

    [Fact]
    public async Task Name_dialog_shows_the_save_error_beside_the_field_and_stays_open()
    {
        var (provider, result) = await OpenAsync(d => NameDialog.AskAsync(d, "New workflow", "",
            _ => Task.FromResult(Core.Common.OperationResult<object>.Invalid("name", "Name is required."))));

        Assert.Equal("Name", provider.Find("label[for=dialog-name]").TextContent.Trim());
        await provider.Find("#name-form").SubmitAsync();

        provider.WaitForAssertion(() => Assert.Contains("Name is required.", provider.Find(".mud-input-helper-text, .mud-input-error").TextContent));
        Assert.False(result.IsCompleted);
    }

    [Fact]
    public void Layout_has_the_product_name_logo_navigation_and_a_named_dark_mode_toggle_that_is_remembered()
    {
        Context.JSInterop.Setup<string?>("dograh.loadSetting", _ => true).SetResult(null);
        var cut = Render<MainLayout>(p => p.Add(l => l.Body, "<h1>Body</h1>"));

        Assert.Contains("Dograh Console", cut.Find(".brand").TextContent);
        Assert.NotNull(cut.Find(".brand svg.logo"));
        Assert.Equal(13, cut.FindAll(".mud-navmenu a").Count);
        Assert.NotNull(cut.Find("button[aria-label='Toggle navigation']"));
        var toggle = cut.Find("#theme-toggle");
        Assert.Equal("Switch to dark mode", toggle.GetAttribute("aria-label"));

        toggle.Click();

        Assert.Equal("Switch to light mode", cut.Find("#theme-toggle").GetAttribute("aria-label"));
        var saved = Context.JSInterop.Invocations["dograh.saveSetting"][^1];
        Assert.Equal(["dograh.theme." + DograhAppFactory.AdminEmail, "dark"], saved.Arguments.Select(a => a?.ToString()));
        Assert.All(cut.FindAll("button"), b => Assert.False(string.IsNullOrWhiteSpace(b.GetAttribute("aria-label") ?? b.TextContent), b.OuterHtml));
    }
}
