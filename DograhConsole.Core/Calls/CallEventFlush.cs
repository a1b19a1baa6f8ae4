using Microsoft.Extensions.Hosting;

namespace DograhConsole.Core.Calls;

/// <summary>
/// Writes the call changes still queued on the <see cref="CallEventWriter"/> once the host has stopped (the server is
/// down and the calls' last events are posted) and before services are disposed: by the time the writer is disposed,
/// the database's own services are already gone.
/// </summary>
internal sealed class CallEventFlush(CallService calls, IHostApplicationLifetime lifetime) : IHostedService
{
    // Ample for the last batches of a busy console; a stuck database does not hold the shutdown for long.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopped.Register(() => calls.FlushEventsAsync().Wait(Limit));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
