using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DograhConsole.Tests.Media.Transport;

[Trait("Category", "Host")]
public sealed class MediaTransportTests
{
    [Fact]
    public void The_console_runs_Kestrels_socket_continuations_inline_so_the_clocks_writes_reach_the_kernel_on_its_thread()
    {
        using var app = new DograhAppFactory();
        var options = app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.True(options.UnsafePreferInlineScheduling);
    }
}
