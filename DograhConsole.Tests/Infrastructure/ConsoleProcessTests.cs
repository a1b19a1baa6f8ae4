using System.Net;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>The several-host kit: a console as its own process behind the loopback balancer, and killing it.</summary>
[Trait("Category", "Host")]
public sealed class ConsoleProcessTests
{
    [Fact]
    public async Task A_console_process_serves_through_the_balancer_until_it_is_killed()
    {
        await using var host = await ConsoleProcess.StartAsync("kit-a", new Dictionary<string, string>());
        await using var balancer = await LoopbackBalancer.StartAsync(_ => host.Address);
        using var api = host.CreateApiClient();
        api.BaseAddress = balancer.Address;

        using (var workflows = await api.GetAsync("/api/v1/workflows"))
            Assert.Equal(HttpStatusCode.OK, workflows.StatusCode);
        Assert.Contains(balancer.Served, served => served.Host == host.Address && served.Request == "GET /api/v1/workflows");

        await host.KillAsync();
        Assert.True(host.HasExited);
        using var afterKill = await api.GetAsync("/api/v1/workflows");
        Assert.Equal(HttpStatusCode.BadGateway, afterKill.StatusCode);
    }
}
