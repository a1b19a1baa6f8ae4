using System.Net;
using Bunit;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Ari;
using DograhConsole.Web.Components.Pages.Telephony;

namespace DograhConsole.Tests.Web.Components;

/// <summary>The configuration detail page shows the listener's live state for ARI configurations.</summary>
[Trait("Category", "Host")]
public sealed class AriConfigurationPageTests(AriConsoleHost host) : ConsoleComponentTest(host.Factory), IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task Detail_page_shows_connected_then_reconnecting_with_the_last_error()
    {
        var app = "dograh-page-" + Guid.NewGuid().ToString("N")[..8];
        await using var fake = new FakeAsterisk(app, "page-password-0123456789", host.MediaUri);
        await fake.StartAsync();
        var created = await Service<TelephonyConfigurationService>().CreateAsync(new TelephonyConfigurationInput
        {
            Name = "PBX " + app,
            Provider = AriProviderSpec.Name,
            Credentials = new() { ["ariEndpointUrl"] = fake.AriUrl.ToString(), ["stasisAppName"] = app, ["appPassword"] = fake.Password },
        });
        Assert.True(created.Succeeded, created.Describe());
        var id = created.Value!.Id;
        await Eventually.TrueAsync(() => host.States.Get(id)?.Status == AriConnectionStatus.Connected, "the listener connected");

        var page = RenderPage<ConfigurationDetailPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Contains("ARI connected", page.Find(".provider-connection").TextContent));
        Assert.Equal("true", page.Find(".provider-connection").GetAttribute("data-connection-up"));
        Assert.Equal("true", ConnectedItem(page).GetAttribute("data-done"));

        fake.RefuseEvents = true;
        fake.DropEventConnections();
        await Eventually.TrueAsync(() => host.States.Get(id) is { Status: AriConnectionStatus.Reconnecting, LastError: not null }, "the listener reconnecting");
        // The page follows the listener by itself.
        page.WaitForAssertion(() => Assert.Contains("ARI reconnecting", page.Find(".provider-connection").TextContent), Eventually.Patience);
        Assert.Contains("Last error", page.Find(".connection-last-error").TextContent);
        // The readiness checklist counts the dropped connection, with its error.
        Assert.Equal("false", ConnectedItem(page).GetAttribute("data-done"));
        Assert.Contains("ARI reconnecting", ConnectedItem(page).TextContent);
        Assert.DoesNotContain(fake.Password, WebUtility.HtmlDecode(page.Markup));
    }

    private static AngleSharp.Dom.IElement ConnectedItem(IRenderedComponent<ConfigurationDetailPage> page) =>
        page.FindAll("#readiness li").Single(li => li.QuerySelector("strong")?.TextContent == "Connected");
}
