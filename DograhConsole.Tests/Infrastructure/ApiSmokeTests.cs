using System.Net;

namespace DograhConsole.Tests.Infrastructure;

[Trait("Category", "Host")]
public class ApiSmokeTests
{
    protected virtual DograhAppFactory NewFactory() => new();

    [Fact]
    public async Task Health_answers_without_credentials_and_the_api_refuses_them()
    {
        using var factory = NewFactory();
        using var anonymous = factory.CreateApiClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/workflows")).StatusCode);

        using var client = factory.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/workflows")).StatusCode);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[Trait("Category", "Host")]
[NeedsServers]
public sealed class ApiSmokeTestsOnPostgres : ApiSmokeTests
{
    protected override DograhAppFactory NewFactory() => new PostgresAppFactory();
}
