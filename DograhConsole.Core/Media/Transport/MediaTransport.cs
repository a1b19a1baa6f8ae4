using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Media.Transport;

/// <summary>
/// Kestrel's socket transport runs its continuations on the thread that completes the step before them instead of
/// queueing each one: a write flushed by the media clock (see <see cref="MediaSocketSender"/>) is sent to the kernel on
/// the clock's thread, and a socket read is handed to the WebSocket reader without another hop. Socket completions
/// themselves still run on the thread pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS is left off), so a request
/// handler that blocks holds a pool thread, as it would anyway, and never the epoll thread.
/// </summary>
public static class MediaTransport
{
    public static IServiceCollection AddMediaTransport(this IServiceCollection services) =>
        services.Configure<SocketTransportOptions>(options => options.UnsafePreferInlineScheduling = true);
}
