using System.Net;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Components;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Web.Components.Pages.Telephony;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>The configuration detail page shows the listener's live state for ARI configurations.</summary>
[Trait("Category", "Host")]
public sealed class AriConfigurationPageTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task Detail_page_shows_connected_then_reconnecting_with_the_last_error()
    {
        await using var components = new ComponentHost(host.Factory);
        var app = "dograh-page-" + Guid.NewGuid().ToString("N")[..8];
        await using var fake = new FakeAsterisk(app, "page-password-0123456789", host.MediaUri);
        await fake.StartAsync();
        var created = await components.Services.GetRequiredService<TelephonyConfigurationService>().CreateAsync(new TelephonyConfigurationInput
        {
            Name = "PBX " + app,
            Provider = AriProviderSpec.Name,
            Credentials = new() { ["ariEndpointUrl"] = fake.AriUrl.ToString(), ["stasisAppName"] = app, ["appPassword"] = fake.Password },
        });
        Assert.True(created.Succeeded, created.Describe());
        var id = created.Value!.Id;
        await Eventually.TrueAsync(() => host.States.Get(id)?.Status == AriConnectionStatus.Connected, "the listener connected");

        var html = WebUtility.HtmlDecode(await components.RenderAsync<ConfigurationDetailPage>(new Dictionary<string, object?> { ["Id"] = id }));
        Assert.Contains("ARI connection: Connected", html);
        Assert.Contains("data-status=\"Connected\"", html);

        fake.RefuseEvents = true;
        fake.DropEventConnections();
        await Eventually.TrueAsync(() => host.States.Get(id) is { Status: AriConnectionStatus.Reconnecting, LastError: not null }, "the listener reconnecting");
        html = WebUtility.HtmlDecode(await components.RenderAsync<ConfigurationDetailPage>(new Dictionary<string, object?> { ["Id"] = id }));
        Assert.Contains("ARI connection: Reconnecting", html);
        Assert.Contains("Last error", html);
        Assert.DoesNotContain(fake.Password, html);
    }
}
