namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// Sees both directions of a <see cref="MediaSession"/> as they happen (a call recorder). Both methods must be quick
/// and never block: <see cref="OnAgentTick"/> runs on the shared clock thread once per tick, with the frame sent on
/// that tick or an empty span when nothing was sent; <see cref="OnCallerFrame"/> runs on the provider edge's thread.
/// </summary>
public interface IMediaTap
{
    void OnCallerFrame(ReadOnlySpan<short> frame);

    void OnAgentTick(ReadOnlySpan<short> frame);
}
