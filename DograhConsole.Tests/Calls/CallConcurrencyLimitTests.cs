using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Calls;

[Trait("Category", "Host")]
public class CallConcurrencyLimitTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    private static void AssertLimitReached(OperationResult<CallView> result)
    {
        Assert.Equal(OperationFailure.Conflict, result.Failure);
        Assert.Equal(CallService.LimitReachedCode, result.Code);
    }

    [Fact]
    public async Task Racing_starts_on_a_limit_of_3_let_exactly_3_through_and_one_more_after_one_ends()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 3);
        var calls = factory.Calls();
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await calls.CreateAsync(CallTestKit.Outbound(org.Id, $"+1415555{i:0000}"));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(racers);

        var started = results.Where(r => r.Succeeded).Select(r => r.Value!).ToList();
        Assert.Equal(3, started.Count);
        Assert.All(results.Where(r => !r.Succeeded), AssertLimitReached);
        Assert.Equal(3, await factory.Services.GetRequiredService<CallConcurrencyLimiter>().ActiveCountAsync(org.Id));

        AssertLimitReached(await calls.CreateAsync(CallTestKit.Outbound(org.Id)));
        await calls.UpdateStatusAsync(started[0].Id, CallStatus.Completed);
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
        AssertLimitReached(await calls.CreateAsync(CallTestKit.Outbound(org.Id)));
    }

    [Fact]
    public async Task A_campaigns_cap_is_held_in_the_same_transaction_as_the_organizations_limit()
    {
        // Every host dialing the campaign counts the same rows, so the cap holds across hosts and takeovers.
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 10);
        var campaign = Guid.NewGuid();
        var calls = factory.Calls();
        NewCall OfCampaign(int i) => CallTestKit.Outbound(org.Id, $"+1415556{i:0000}") with { CampaignId = campaign, CampaignCallLimit = 2 };
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await calls.CreateAsync(OfCampaign(i));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(racers);

        var started = results.Where(r => r.Succeeded).Select(r => r.Value!).ToList();
        Assert.Equal(2, started.Count);
        Assert.All(results.Where(r => !r.Succeeded), AssertLimitReached);
        Assert.Contains("campaign's limit of 2", results.First(r => !r.Succeeded).Describe());
        // Other calls of the organization still have its room.
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
        await calls.UpdateStatusAsync(started[0].Id, CallStatus.Completed);
        Assert.True((await calls.CreateAsync(OfCampaign(7))).Succeeded);
        AssertLimitReached(await calls.CreateAsync(OfCampaign(8)));
    }

    public static TheoryData<CallStatus> EndedStatuses => new(CallStatuses.Terminal);

    [Theory]
    [MemberData(nameof(EndedStatuses))]
    public async Task Every_ended_status_frees_the_slot(CallStatus ended)
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 1);
        var calls = factory.Calls();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        if (ended == CallStatus.Completed) await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress);
        AssertLimitReached(await calls.CreateAsync(CallTestKit.Outbound(org.Id)));

        Assert.True((await calls.UpdateStatusAsync(call.Id, ended)).Value!.Changed);
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
    }

    [Fact]
    public async Task Failing_and_canceling_free_the_slot()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 1);
        var calls = factory.Calls();
        var first = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await calls.FailAsync(first.Id, "provider refused the number");
        var second = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await calls.CancelAsync(second.Id, "admin@dograh.test");
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
    }

    [Fact]
    public async Task An_outbound_call_that_rings_out_unanswered_frees_the_slot()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 1);
        var calls = factory.Calls();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await calls.UpdateStatusAsync(call.Id, CallStatus.Ringing);
        AssertLimitReached(await calls.CreateAsync(CallTestKit.Outbound(org.Id)));
        await calls.UpdateStatusAsync(call.Id, CallStatus.NoAnswer);
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
    }

    [Fact]
    public async Task A_repeated_end_does_not_free_a_second_slot()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 2);
        var calls = factory.Calls();
        var a = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await calls.UpdateStatusAsync(a.Id, CallStatus.Completed);
        await calls.UpdateStatusAsync(a.Id, CallStatus.Completed);
        await calls.UpdateStatusAsync(a.Id, CallStatus.Failed);
        Assert.True((await calls.CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
        AssertLimitReached(await calls.CreateAsync(CallTestKit.Outbound(org.Id)));
    }

    [Fact]
    public async Task The_count_comes_from_the_database_so_a_restart_keeps_it()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 2);
        await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));

        // A limiter and service as a freshly started process would build them.
        var fresh = new CallService(factory.Db(), new CallConcurrencyLimiter(factory.Db()), new CallEventBus(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CallService>.Instance);
        AssertLimitReached(await fresh.CreateAsync(CallTestKit.Outbound(org.Id)));
    }

    [Fact]
    public async Task Organizations_have_their_own_limits_and_the_default_is_10()
    {
        var org = await factory.NewOrganizationAsync();
        var other = await factory.NewOrganizationAsync(maxConcurrentCalls: 1);
        Assert.Equal(CallConcurrencyLimiter.DefaultLimit, await factory.Services.GetRequiredService<CallConcurrencyLimiter>().LimitAsync(org.Id));
        for (var i = 0; i < 10; i++) await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        AssertLimitReached(await factory.Calls().CreateAsync(CallTestKit.Outbound(org.Id)));
        Assert.True((await factory.Calls().CreateAsync(CallTestKit.Outbound(other.Id))).Succeeded);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[Trait("Category", "Host")]
[NeedsServers]
public sealed class CallConcurrencyLimitTestsOnPostgres(PostgresAppFactory factory) : CallConcurrencyLimitTests(factory), IClassFixture<PostgresAppFactory>;
