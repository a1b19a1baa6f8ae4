using DograhConsole.Core.Data;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>The legs of one call, tracked by one database context until it is disposed; changes are written by <see cref="SaveAsync"/>.</summary>
public sealed class AriCallLegsOfCall(DograhDbContext db, List<AriCallLeg> legs) : IAsyncDisposable
{
    public IReadOnlyList<AriCallLeg> Legs => legs;

    public void Remove(AriCallLeg leg) => db.Remove(leg);

    public void RemoveAll() => db.RemoveRange(legs);

    public Task SaveAsync(CancellationToken ct) => db.SaveChangesAsync(ct);

    public ValueTask DisposeAsync() => db.DisposeAsync();
}
