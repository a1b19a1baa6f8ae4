using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Calls;

[Trait("Category", "Unit")]
public sealed class CallEventBusTests
{
    private static long _nextEventId;

    private static CallUpdate Update(Guid organizationId, Guid? callId = null, string message = "ringing") =>
        new(organizationId,
            new CallView { Id = callId ?? Guid.NewGuid(), Status = CallStatus.Ringing, Context = JsonSerializer.SerializeToElement(new { }) },
            new CallEventView(Interlocked.Increment(ref _nextEventId), callId ?? Guid.Empty, DateTime.UtcNow, CallEventKind.Status, message, null));

    [Fact]
    public void A_subscriber_gets_only_its_own_organization()
    {
        var bus = new CallEventBus();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        using var subA = bus.Subscribe(a);
        using var subB = bus.Subscribe(b);
        bus.Publish(Update(a, message: "for a"));

        Assert.True(subA.Reader.TryRead(out var received));
        Assert.Equal("for a", received.Event.Message);
        Assert.False(subB.Reader.TryRead(out _));
    }

    [Fact]
    public void A_call_subscription_gets_only_that_call()
    {
        var bus = new CallEventBus();
        var org = Guid.NewGuid();
        var call = Guid.NewGuid();
        using var sub = bus.Subscribe(org, call);
        bus.Publish(Update(org, Guid.NewGuid(), "other"));
        bus.Publish(Update(org, call, "mine"));
        Assert.True(sub.Reader.TryRead(out var received));
        Assert.Equal("mine", received.Event.Message);
        Assert.False(sub.Reader.TryRead(out _));
    }

    [Fact]
    public void A_slow_subscriber_drops_its_oldest_updates_and_never_blocks_the_publisher()
    {
        var bus = new CallEventBus();
        var org = Guid.NewGuid();
        using var slow = bus.Subscribe(org, capacity: 3);
        for (var i = 1; i <= 10; i++) bus.Publish(Update(org, message: $"#{i}"));

        var kept = new List<string>();
        while (slow.Reader.TryRead(out var update)) kept.Add(update.Event.Message);
        Assert.Equal(["#8", "#9", "#10"], kept);
        Assert.Equal(7, slow.Dropped);
    }

    [Fact]
    public void Only_a_page_subscription_counts_as_watching_and_disposing_it_ends_the_watch()
    {
        var bus = new CallEventBus();
        var org = Guid.NewGuid();
        using var campaign = bus.Subscribe(org);
        Assert.False(bus.PagesWatch);
        var page = bus.Subscribe(org, forPage: true);
        var second = bus.Subscribe(org, Guid.NewGuid(), forPage: true);
        Assert.True(bus.PagesWatch);
        page.Dispose();
        page.Dispose();
        Assert.True(bus.PagesWatch);
        second.Dispose();
        Assert.False(bus.PagesWatch);
    }

    [Fact]
    public async Task Disposing_unsubscribes_and_ends_the_stream()
    {
        var bus = new CallEventBus();
        var org = Guid.NewGuid();
        var sub = bus.Subscribe(org);
        Assert.Equal(1, bus.SubscriberCount);
        bus.Publish(Update(org, message: "before"));

        var received = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var update in sub.ReadAllAsync()) received.Add(update.Event.Message);
        });
        await sub.DisposeAsync();
        await reading.WaitAsync(Eventually.Patience);
        Assert.Equal(0, bus.SubscriberCount);
        bus.Publish(Update(org, message: "after"));
        Assert.Equal(["before"], received);
    }

    [Fact]
    public async Task ReadAllAsync_yields_updates_as_they_are_published()
    {
        var bus = new CallEventBus();
        var org = Guid.NewGuid();
        using var sub = bus.Subscribe(org);
        await using var updates = sub.ReadAllAsync().GetAsyncEnumerator();
        var next = updates.MoveNextAsync();
        Assert.False(next.IsCompleted, "the reader waits while nothing is published");
        bus.Publish(Update(org, message: "live"));
        Assert.True(await next.AsTask().WaitAsync(Eventually.Patience));
        Assert.Equal("live", updates.Current.Event.Message);
    }

    [Fact]
    public void A_subscription_needs_an_organization() =>
        Assert.Throws<ArgumentException>(() => new CallEventBus().Subscribe(Guid.Empty));
}
