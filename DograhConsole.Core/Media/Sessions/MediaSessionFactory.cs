using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>Creates media sessions on the shared clock; what provider adapters inject.</summary>
public sealed class MediaSessionFactory(MediaClock clock, ILoggerFactory loggerFactory)
{
    public MediaSession Create(IMediaSink sink, MediaSessionOptions options) =>
        new(clock, sink, options, loggerFactory.CreateLogger<MediaSession>());
}
