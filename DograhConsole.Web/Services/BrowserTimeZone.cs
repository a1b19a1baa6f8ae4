using Microsoft.JSInterop;

namespace DograhConsole.Web.Services;

/// <summary>The viewer's time zone, learnt once per circuit from the browser; times render in UTC until then.</summary>
public sealed class BrowserTimeZone
{
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private bool _resolved;

    public event Action? Changed;

    public string Name => _zone.Id;

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), _zone);

    /// <summary>A wall-clock time the viewer picked (a date filter) as UTC.</summary>
    public DateTime ToUtc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone);

    /// <summary>The viewer's last midnight, as UTC.</summary>
    public DateTime StartOfTodayUtc(DateTime utcNow) => ToUtc(ToLocal(utcNow).Date);

    public async Task ResolveAsync(IJSRuntime js)
    {
        if (_resolved) return;
        _resolved = true;
        try
        {
            var id = await js.InvokeAsync<string>("dograh.timeZone");
            if (!string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.Id != _zone.Id)
            {
                _zone = zone;
                Changed?.Invoke();
            }
        }
        catch (JSException)
        {
            // Keep UTC; the tooltip of every time still shows its UTC value.
        }
    }
}
