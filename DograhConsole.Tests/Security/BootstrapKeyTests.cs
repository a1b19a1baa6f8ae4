using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

[Trait("Category", "Host")]
public sealed class BootstrapKeyTests
{
    [Fact]
    public async Task Changing_Dograh_Admin_ApiKey_revokes_the_key_it_registered_before()
    {
        using var first = new DograhAppFactory();
        using (var old = first.CreateApiClient()) (await old.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.OK);

        const string replacement = "dgk_test_first_organization_key_0002";
        using var restarted = new DograhAppFactory();
        restarted.Settings["Dograh:DataDirectory"] = first.DataDirectory;
        restarted.Settings["Dograh:Admin:ApiKey"] = replacement;
        using (var fresh = restarted.CreateApiClient(replacement))
        {
            var keys = (await fresh.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK).Json.AsArray();
            Assert.Equal(2, keys.Count);
            Assert.Single(keys, k => k!["revokedAt"] is null);
            Assert.All(keys, k => Assert.True(k!["prefix"]!.GetValue<string>().Length <= 4));
        }
        using (var old = restarted.CreateApiClient()) (await old.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.Unauthorized);
    }
}
