using System.Diagnostics;

namespace DograhConsole.Core.Providers.Web;

/// <summary>
/// A token bucket on what a browser may send: <paramref name="perSecond"/> messages a second on average, with bursts
/// up to <paramref name="burst"/>. A browser over it is cut off, so a page (or a script posing as one) sending faster
/// than real time costs the engine a bounded amount of work. Used by one socket's reader only.
/// </summary>
internal sealed class WebFrameBudget(double perSecond, double burst)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>False when this message is over the budget.</summary>
    public bool TryTake()
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (now - _last) * perSecond / Stopwatch.Frequency);
        _last = now;
        if (_tokens < 1) return false;
        _tokens--;
        return true;
    }
}
