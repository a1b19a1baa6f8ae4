namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// The console as its own process (`dotnet DograhConsole.Web.dll`, the build beside the tests), on 127.0.0.1 and a free
/// port, configured only through environment variables as an installation would be: for tests of several hosts, where
/// one host is killed with SIGKILL mid-work. Its first admin and API key come from Dograh:Admin (start the first host
/// before the others when they share a database). Stops when disposed, or when the test process ends.
/// </summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly ServerProcess _server;
    private readonly string _directory;

    private ConsoleProcess(string hostId, ServerProcess server, string directory)
    {
        HostId = hostId;
        _server = server;
        _directory = directory;
        Address = new Uri($"http://127.0.0.1:{server.Port}/");
    }

    public string HostId { get; }

    public Uri Address { get; }

    public IEnumerable<string> Output => _server.Output;

    public bool HasExited => _server.HasExited;

    /// <summary>
    /// Starts a host with these settings ("Dograh:Database:Provider" style keys) besides the test defaults: the admin and
    /// API key of <see cref="DograhAppFactory"/>, its public base URL, and a data directory of its own.
    /// </summary>
    public static async Task<ConsoleProcess> StartAsync(string hostId, IReadOnlyDictionary<string, string> settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "dograh-tests", $"host-{hostId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        int port = ServerProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Dograh__HostId"] = hostId,
            ["Dograh__DataDirectory"] = Path.Combine(directory, "data"),
            ["Dograh__PublicBaseUrl"] = DograhAppFactory.PublicBaseUrl,
            ["Dograh__Admin__Email"] = DograhAppFactory.AdminEmail,
            ["Dograh__Admin__Password"] = DograhAppFactory.AdminPassword,
            ["Dograh__Admin__ApiKey"] = DograhAppFactory.ApiKey,
        };
        foreach (var (key, value) in settings) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var web = Path.Combine(AppContext.BaseDirectory, "DograhConsole.Web.dll");
        var server = await ServerProcess.StartAsync($"Console host {hostId}", port, "Now listening on:", ["dotnet", web], Path.Combine(directory, "scratch"),
            environment: environment);
        return new ConsoleProcess(hostId, server, directory);
    }

    /// <summary>An API client of the first organization (the bootstrap API key) on this host.</summary>
    public HttpClient CreateApiClient(string apiKey = DograhAppFactory.ApiKey) => DograhAppFactory.LoopbackApiClient(Address, apiKey);

    /// <summary>SIGKILL: no shutdown code runs, leases are not released, sockets drop.</summary>
    public Task KillAsync() => _server.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
