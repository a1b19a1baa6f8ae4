namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Waits for a condition on a live system, polling; fails the test naming <c>what</c> after <see cref="Patience"/>.
/// The one wait of the test kit: every test that waits for the app, a fake or a browser to get somewhere waits this long.
/// </summary>
public static class Eventually
{
    /// <summary>
    /// How long any wait lasts before the test fails. 90 s: the slowest wait (a campaign of 80 calls across a host
    /// restart) takes about 10 s alone and several times that on a 2-core machine shared with other builds; a passing
    /// test never waits it out, only a failing one reports this late.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Between two looks at the condition: short against the waits (tens of ms and up), long enough not to load the machine.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    public static Task TrueAsync(Func<bool> condition, string what) =>
        TrueAsync(() => Task.FromResult(condition()), what);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what) =>
        await MatchAsync(condition, done => done, _ => what);

    /// <summary>The first non-null value <paramref name="probe"/> returns.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what) where T : class =>
        (await MatchAsync(probe, value => value is not null, _ => what))!;

    /// <summary>The first value <paramref name="read"/> returns that meets <paramref name="condition"/>; the failure describes the last one read.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> read, Func<T, bool> condition, Func<T, string> what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {Patience.TotalSeconds:0} s waiting for {what(value)}.");
            await Task.Delay(Poll);
        }
    }

    /// <summary>
    /// Does <paramref name="act"/>, then again whenever <paramref name="done"/> has not followed within
    /// <paramref name="retryEvery"/>: for input that can race its listener (a key pressed just before the menu listens
    /// is lost, as on a real line).
    /// </summary>
    public static async Task RetryAsync(Func<Task> act, Func<Task<bool>> done, string what, TimeSpan retryEvery)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await act();
            var retryAt = DateTime.UtcNow + retryEvery;
            while (DateTime.UtcNow < retryAt)
            {
                if (await done()) return;
                if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {Patience.TotalSeconds:0} s waiting for {what}.");
                await Task.Delay(Poll);
            }
        }
    }
}
