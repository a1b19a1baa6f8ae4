
namespace DograhConsole.Core.Providers.Ari;

/// <summary>An ARI Channel (channels.json); only the members the console reads.</summary>
public sealed record AriChannel(string Id, string? Name, string? State, AriCallerId? Caller, AriDialplan? Dialplan)
{
    /// <summary>True when the channel sits in Stasis for <paramref name="app"/> (its current application is Stasis(app,...)).</summary>
    public bool IsInStasisApp(string app) =>
        string.Equals(Dialplan?.AppName, "Stasis", StringComparison.OrdinalIgnoreCase)
        && (Dialplan?.AppData ?? "").Split(',')[0].Trim() == app;
}
