using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core.Media.Sessions;

public static class MediaSessionServices
{
    public static IServiceCollection AddMediaSessions(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MediaClock>();
        services.TryAddSingleton<MediaSessionFactory>();
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName)
            .Validate(o => o.MarkConfirmationTimeout >= MediaClock.Interval, $"{MediaOptions.SectionName}:MarkConfirmationTimeout must be at least 20 ms.")
            .Validate(o => o.ClockThreadNice is >= -20 and <= 19, $"{MediaOptions.SectionName}:ClockThreadNice must be from -20 to 19.")
            .Validate(o => o.ClockThreadRealtimePriority is >= 0 and <= 99, $"{MediaOptions.SectionName}:ClockThreadRealtimePriority must be from 0 (off) to 99.")
            .ValidateOnStart();
        return services;
    }
}
