using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Tests.WorkflowRuntime;

[Trait("Category", "Host")]
public sealed class OrphanedCallCleanupTests
{
    [Fact]
    public async Task A_restart_fails_calls_left_active_and_asks_their_provider_to_hang_up()
    {
        var fixture = new RuntimeFixture();
        await fixture.InitializeAsync();
        try
        {
            var orphan = await fixture.CreateCallAsync(await fixture.CreateWorkflowAsync("""{"steps":[]}"""));
            var ended = await fixture.CreateCallAsync(null);
            await fixture.Calls.UpdateStatusAsync(ended.Id, CallStatus.Completed);

            // A second console process on the same data directory, started after those calls were made.
            var provider = new RecordingProviderCalls();
            await using var restarted = fixture.Parent.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IProviderCalls>();
                services.AddSingleton<IProviderCalls>(provider);
            }));
            var cleanup = restarted.Services.GetRequiredService<OrphanedCallCleanup>();
            await cleanup.Completed.WaitAsync(Eventually.Patience);

            var stored = await fixture.StoredCallAsync(orphan.Id);
            Assert.Equal(CallStatus.Failed, stored.Status);
            Assert.Equal(OrphanedCallCleanup.Reason, stored.FailureReason);
            Assert.Contains(orphan.Id, provider.HangUps);
            Assert.DoesNotContain(ended.Id, provider.HangUps);
            Assert.Equal(CallStatus.Completed, (await fixture.StoredCallAsync(ended.Id)).Status);

            // A new call in the restarted process is not touched by a later sweep with the start time.
            var fresh = await fixture.CreateCallAsync(null);
            Assert.Equal(0, await cleanup.CleanUpAsync(DateTime.UtcNow.AddMinutes(-5), CancellationToken.None));
            Assert.True((await fixture.StoredCallAsync(fresh.Id)).Active);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_provider_error_is_logged_and_the_call_is_still_failed()
    {
        var fixture = new RuntimeFixture();
        await fixture.InitializeAsync();
        try
        {
            fixture.Provider.HangUpError = "provider down";
            var orphan = await fixture.CreateCallAsync(null);
            var cleanup = fixture.Services.GetRequiredService<OrphanedCallCleanup>();

            Assert.Equal(1, await cleanup.CleanUpAsync(DateTime.UtcNow.AddSeconds(5), CancellationToken.None));

            Assert.Equal(CallStatus.Failed, (await fixture.StoredCallAsync(orphan.Id)).Status);
            Assert.Contains(orphan.Id, fixture.Provider.HangUps);
            Assert.Contains(fixture.Parent.LogLines, l => l.Contains("refused to hang up") && l.Contains("provider down"));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
