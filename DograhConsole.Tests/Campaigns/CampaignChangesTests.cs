using System.Collections.Concurrent;
using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Campaigns;

[Trait("Category", "Host")]
public sealed class CampaignChangesTests
{
    private static readonly Guid OrganizationA = Guid.NewGuid();
    private static readonly Guid OrganizationB = Guid.NewGuid();

    [Fact]
    public void A_subscriber_sees_only_its_organization_and_its_campaign_and_nothing_after_disposing()
    {
        var changes = new CampaignChanges(NullLogger<CampaignChanges>.Instance);
        var campaign = Guid.NewGuid();
        var other = Guid.NewGuid();
        var allOfA = new List<CampaignChange>();
        var oneOfA = new List<CampaignChange>();
        var allOfB = new List<CampaignChange>();
        using var a = changes.Subscribe(OrganizationA, null, allOfA.Add);
        var one = changes.Subscribe(OrganizationA, campaign, oneOfA.Add);
        using var b = changes.Subscribe(OrganizationB, null, allOfB.Add);
        Assert.Equal(3, changes.SubscriberCount);

        changes.Publish(new CampaignChange(OrganizationA, campaign, CampaignChangeKind.Status));
        changes.Publish(new CampaignChange(OrganizationA, other, CampaignChangeKind.Contacts));
        // Another organization's campaign with the same id reaches no subscriber of A.
        changes.Publish(new CampaignChange(OrganizationB, campaign, CampaignChangeKind.Activity));

        Assert.Equal([CampaignChangeKind.Status, CampaignChangeKind.Contacts], allOfA.Select(c => c.Kind));
        Assert.Equal([new CampaignChange(OrganizationA, campaign, CampaignChangeKind.Status)], oneOfA);
        Assert.Equal([new CampaignChange(OrganizationB, campaign, CampaignChangeKind.Activity)], allOfB);

        one.Dispose();
        Assert.Equal(2, changes.SubscriberCount);
        changes.Publish(new CampaignChange(OrganizationA, campaign, CampaignChangeKind.Status));
        Assert.Single(oneOfA);
        Assert.Equal(3, allOfA.Count);
    }

    [Fact]
    public void A_failing_subscriber_does_not_stop_the_publisher_or_the_other_subscribers()
    {
        var changes = new CampaignChanges(NullLogger<CampaignChanges>.Instance);
        var seen = 0;
        using var broken = changes.Subscribe(OrganizationA, null, _ => throw new InvalidOperationException("page gone"));
        using var working = changes.Subscribe(OrganizationA, null, _ => seen++);

        changes.Publish(new CampaignChange(OrganizationA, Guid.NewGuid(), CampaignChangeKind.Contacts));

        Assert.Equal(1, seen);
    }

    [Fact]
    public void Subscribing_needs_an_organization() =>
        Assert.Throws<ArgumentException>(() => new CampaignChanges(NullLogger<CampaignChanges>.Instance).Subscribe(Guid.Empty, null, _ => { }));

    /// <summary>A real run through the dispatcher: each committed write of the store announces itself for that campaign only.</summary>
    [Fact]
    public async Task The_store_announces_creation_start_claims_outcomes_completion_and_cancel_of_a_campaign()
    {
        var data = CampaignTestKit.NewDataDirectory();
        try
        {
            await using var host = CampaignTestKit.StartHost(data);
            await using var twilio = await host.StartTwilioAsync();
            twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(300));
            using var api = host.CreateLoopbackApiClient();
            var setup = await api.SetUpAsync(twilio);
            var changes = host.Services.GetRequiredService<CampaignChanges>();
            Guid organizationId;
            await using (var db = await host.Db().CreateDbContextAsync()) organizationId = db.Organizations.Single().Id;
            var seen = new ConcurrentQueue<CampaignChange>();
            using var subscription = changes.Subscribe(organizationId, null, seen.Enqueue);
            using var elsewhere = changes.Subscribe(Guid.NewGuid(), null, _ => Assert.Fail("another organization was told"));

            var (csv, _) = CampaignTestKit.Contacts(4);
            var id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 20 });
            Assert.Equal([new CampaignChange(organizationId, id, CampaignChangeKind.Status)], seen);

            await api.ActAsync(id, "start");
            await api.WaitForStatusAsync(id, "completed");
            await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(seen.Count(c => c.Kind == CampaignChangeKind.Status) >= 3), "the completion notice");
            Assert.All(seen, c => Assert.Equal((organizationId, id), (c.OrganizationId, c.CampaignId)));
            // created, started, completed
            Assert.Equal(3, seen.Count(c => c.Kind == CampaignChangeKind.Status));
            // At least one claim and the outcomes of the four calls.
            Assert.True(seen.Count(c => c.Kind == CampaignChangeKind.Contacts) >= 2, string.Join(", ", seen));

            var second = await api.CreateCampaignAsync(setup, CampaignTestKit.Contacts(2, start: 100).Csv, new CampaignSettings());
            seen.Clear();
            await api.ActAsync(second, "cancel");
            Assert.Contains(new CampaignChange(organizationId, second, CampaignChangeKind.Status), seen);
            Assert.Contains(new CampaignChange(organizationId, second, CampaignChangeKind.Contacts), seen);
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
