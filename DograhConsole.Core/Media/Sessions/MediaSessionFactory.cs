using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>Creates media sessions on the shared clock, with the configured defaults; what provider adapters inject.</summary>
public sealed class MediaSessionFactory(MediaClock clock, ILoggerFactory loggerFactory, IOptions<MediaOptions> defaults)
{
    public MediaSession Create(IMediaSink sink, MediaSessionOptions options) =>
        new(clock, sink, options with { MarkConfirmationTimeout = options.MarkConfirmationTimeout ?? defaults.Value.MarkConfirmationTimeout },
            loggerFactory.CreateLogger<MediaSession>());
}
