using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Media.Sessions;

public class MediaSessionServicesTests
{
    [Fact]
    public async Task Sessions_from_the_container_share_one_clock()
    {
        await using var provider = new ServiceCollection().AddLogging().AddMediaSessions().BuildServiceProvider();
        var factory = provider.GetRequiredService<MediaSessionFactory>();
        var clock = provider.GetRequiredService<MediaClock>();

        await using var first = factory.Create(new RecordingSink(), new MediaSessionOptions { CallId = "a" });
        await using var second = factory.Create(new RecordingSink(), new MediaSessionOptions { CallId = "b", SampleRate = 16000 });

        Assert.Same(clock, provider.GetRequiredService<MediaClock>());
        Assert.Equal(2, clock.TargetCount);
    }
}
