using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Media.Sessions;

[Trait("Category", "Unit")]
public class MediaSessionServicesTests
{
    private static ServiceProvider Services(Dictionary<string, string?>? settings = null, ManualClock? clock = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        if (clock is not null) services.AddSingleton(clock.Clock);
        return services.AddMediaSessions().BuildServiceProvider();
    }

    [Fact]
    public async Task Sessions_from_the_container_share_one_clock()
    {
        await using var provider = Services();
        var factory = provider.GetRequiredService<MediaSessionFactory>();
        var clock = provider.GetRequiredService<MediaClock>();

        await using var first = factory.Create(new RecordingSink(), new MediaSessionOptions { CallId = "a" });
        await using var second = factory.Create(new RecordingSink(), new MediaSessionOptions { CallId = "b", SampleRate = 16000 });

        Assert.Same(clock, provider.GetRequiredService<MediaClock>());
        Assert.Equal(2, clock.TargetCount);
    }

    [Fact]
    public async Task The_configured_mark_confirmation_timeout_applies_unless_the_edge_sets_its_own()
    {
        var clock = new ManualClock();
        await using var provider = Services(new() { ["Dograh:Media:MarkConfirmationTimeout"] = "00:00:00.060" }, clock); // 3 ticks
        var factory = provider.GetRequiredService<MediaSessionFactory>();
        var configured = new RecordingSink { ConfirmsMarks = true };
        var own = new RecordingSink { ConfirmsMarks = true };
        await using var first = factory.Create(configured, new MediaSessionOptions { CallId = "a" });
        await using var second = factory.Create(own, new MediaSessionOptions { CallId = "b", MarkConfirmationTimeout = TimeSpan.FromSeconds(1) });
        configured.Watch(first);
        own.Watch(second);
        first.Mark("m");
        second.Mark("m");

        clock.Tick(4); // sent on slot 0, timed out on slot 3

        Assert.Equal(["sent mark m", "played m"], configured.Log);
        Assert.Equal(["sent mark m"], own.Log);
    }

    [Fact]
    public void A_mark_confirmation_timeout_below_one_frame_is_refused_at_start()
    {
        using var provider = Services(new() { ["Dograh:Media:MarkConfirmationTimeout"] = "00:00:00.010" });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MediaOptions>>().Value);
        Assert.Contains("MarkConfirmationTimeout", error.Message);
    }
}
