namespace DograhConsole.Core.Hosting;

/// <summary>The "Dograh" configuration section. Environment variables use the Dograh__Admin__Email form.</summary>
public sealed class DograhOptions
{
    public const string SectionName = "Dograh";

    /// <summary>Holds the database, the data-protection keys and recordings. Relative paths start at the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The external https origin providers reach, e.g. https://console.example.com. Every URL handed to a provider is built from it.</summary>
    public string? PublicBaseUrl { get; set; }

    public AdminBootstrapOptions Admin { get; set; } = new();

    /// <summary>Largest request body accepted by the admin API, in bytes.</summary>
    public long MaxApiRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Sign-in and set-up form posts accepted from one client address per minute; more answer 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// How often an open page (a Blazor circuit, which outlives the request that signed it in) checks that its session
    /// still stands; a sign-out elsewhere, a password change or a removed user ends the page within this time. Each
    /// check is one indexed read per open page.
    /// </summary>
    public TimeSpan SessionRevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-* headers are believed; none by default.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

public sealed class AdminBootstrapOptions
{
    /// <summary>With <see cref="Password"/>: the first admin, created when no user exists.</summary>
    public string? Email { get; set; }
    public string? Password { get; set; }

    /// <summary>Optional: an API key registered for the first organization, for automation.</summary>
    public string? ApiKey { get; set; }
}
