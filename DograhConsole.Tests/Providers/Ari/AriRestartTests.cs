using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>A console restart in the middle of a call: the new process finds the persisted legs and cleans up.</summary>
[Trait("Category", "Host")]
public sealed class AriRestartTests
{
    [Fact]
    public async Task After_a_restart_calls_whose_channels_are_gone_are_failed_and_unowned_Stasis_channels_hung_up()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "dograh-tests", "restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            var before = new AriConsoleHost();
            before.Factory.Settings["Dograh:DataDirectory"] = dataDirectory;
            await before.InitializeAsync();
            var scenario = await AriScenario.StartAsync(before, AriScenario.LongGather);
            var fake = scenario.Fake;
            var caller = await fake.DialInAsync(scenario.Extension, "6401");
            var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
            var media = await scenario.WaitForMediaAsync();
            await Eventually.TrueAsync(() => fake.Bridges.Values.Any(b => b.Contains(caller.Id) && b.Contains(media.ChannelId)), "the call bridged");

            // The console dies: its events connection is gone first, then its media socket closes, so Asterisk hangs
            // up the media channel and nobody hears about it.
            fake.RefuseEvents = true;
            fake.DropEventConnections();
            await before.DisposeAsync();
            await Eventually.TrueAsync(() => !fake.Channels.ContainsKey(media.ChannelId), "the media channel gone with the console");
            var ghost = fake.AddSilentStasisChannel("ghost-" + Guid.NewGuid().ToString("N")[..8]);
            fake.RefuseEvents = false;

            var after = new AriConsoleHost();
            after.Factory.Settings["Dograh:DataDirectory"] = dataDirectory;
            await after.InitializeAsync();
            try
            {
                await Eventually.TrueAsync(() => after.States.Get(scenario.ConfigurationId)?.Status == AriConnectionStatus.Connected, "the new process connected");
                await Eventually.TrueAsync(async () => (await after.Factory.StoredCallAsync(call.Id)).Status == CallStatus.Failed, "the call closed as failed");
                Assert.Contains("no longer exists in Asterisk", (await after.Factory.StoredCallAsync(call.Id)).FailureReason);
                await Eventually.TrueAsync(() => !fake.Channels.ContainsKey(caller.Id), "the caller hung up");
                await Eventually.TrueAsync(() => !fake.Channels.ContainsKey(ghost.Id), "the unowned channel hung up");
            }
            finally
            {
                await fake.DisposeAsync();
                await after.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
