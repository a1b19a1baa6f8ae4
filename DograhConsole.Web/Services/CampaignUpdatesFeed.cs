using System.Threading.Channels;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;

namespace DograhConsole.Web.Services;

/// <summary>
/// Tells a campaign page when to reload, by push: the campaign's own changes (<see cref="CampaignChanges"/>: status,
/// activity, contacts) and, when the page shows calls, every change of one of its calls (<see cref="CallEventBus"/>,
/// through <see cref="CallUpdatesFeed"/>). Requests that arrive while a reload runs fold into one more reload, and reloads are
/// at least <c>minInterval</c> apart, so a campaign dialing hundreds of calls a second costs a few reloads a second.
/// No timer is needed: every write that changes what the page shows announces itself on one of the two, and a
/// reload reads the whole state, so a lost or coalesced notice only skips an intermediate state. A reload that
/// fails (the database busy) is tried again after the interval. The component disposes the feed with itself.
/// </summary>
public sealed class CampaignUpdatesFeed : IAsyncDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(300);

    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _campaignChanges;
    private readonly CallUpdatesFeed? _callUpdates;
    private readonly Task _pump;

    private CampaignUpdatesFeed(CampaignChanges changes, CallEventBus? bus, Guid organizationId, Guid? campaignId, Func<Task> reload, TimeSpan minInterval, ILogger logger)
    {
        _campaignChanges = changes.Subscribe(organizationId, campaignId, _ => Request());
        _callUpdates = bus is null ? null : CallUpdatesFeed.Start(bus, organizationId, updates =>
        {
            if (updates.Any(u => u.Call.CampaignId is { } id && (campaignId is null || id == campaignId))) Request();
            return Task.CompletedTask;
        });
        _pump = PumpAsync(reload, minInterval, logger);
    }

    /// <summary>
    /// Subscribes to the organization's changes of one campaign (or of all its campaigns when <paramref name="campaignId"/>
    /// is null), and to their calls when <paramref name="calls"/> is given. Start it before loading the initial state,
    /// so nothing between the load and the first notice is lost.
    /// </summary>
    public static CampaignUpdatesFeed Start(CampaignChanges changes, CallEventBus? calls, Guid organizationId, Guid? campaignId, Func<Task> reload,
        ILogger logger, TimeSpan? minInterval = null) =>
        new(changes, calls, organizationId, campaignId, reload, minInterval ?? DefaultInterval, logger);

    /// <summary>Asks for a reload (never blocks); also what a page calls after its own action.</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    private async Task PumpAsync(Func<Task> reload, TimeSpan minInterval, ILogger logger)
    {
        try
        {
            while (await _requests.Reader.WaitToReadAsync(_stop.Token))
            {
                _requests.Reader.TryRead(out _);
                try
                {
                    await reload();
                }
                catch (ObjectDisposedException)
                {
                    return; // the circuit went away
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Reloading a campaign page failed; trying again");
                    Request();
                }
                await Task.Delay(minInterval, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _campaignChanges.Dispose();
        if (_callUpdates is not null) await _callUpdates.DisposeAsync();
        _requests.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Ending the page must not fail because the last reload did.
        }
        _stop.Dispose();
    }
}
