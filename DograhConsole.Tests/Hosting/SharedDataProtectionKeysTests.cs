using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Hosting;

/// <summary>An install that ran on one host (keys in its data directory) and then adds Redis and a second host.</summary>
[Trait("Category", "Host")]
public sealed class SharedDataProtectionKeysTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task Secrets_protected_before_Redis_still_open_after_adding_Redis_on_the_old_host_and_on_a_new_one()
    {
        var redis = (await RedisServer.SharedAsync()).Configuration;
        var prefix = "test-" + Guid.NewGuid().ToString("N")[..12];
        var oldDirectory = Path.Combine(Path.GetTempPath(), "dograh-tests", Guid.NewGuid().ToString("N"));
        var newDirectory = Path.Combine(Path.GetTempPath(), "dograh-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string stored;
            using (var alone = new DograhAppFactory { DataDirectory = oldDirectory })
            {
                stored = alone.Services.GetRequiredService<SecretProtector>().Protect(new Dictionary<string, string> { ["authToken"] = "s3cret" });
            }
            using (var upgraded = TwoHosts.NewHost(oldDirectory, "old-host", redis, prefix))
            {
                Assert.Equal("s3cret", upgraded.Services.GetRequiredService<SecretProtector>().Unprotect(stored)["authToken"]);
            }
            // A host that never saw the old data directory: the keys came to it through Redis.
            using var added = TwoHosts.NewHost(newDirectory, "new-host", redis, prefix);
            Assert.Equal("s3cret", added.Services.GetRequiredService<SecretProtector>().Unprotect(stored)["authToken"]);
            Assert.Empty(Directory.Exists(Path.Combine(newDirectory, "keys")) ? Directory.GetFiles(Path.Combine(newDirectory, "keys")) : []);
        }
        finally
        {
            foreach (var directory in new[] { oldDirectory, newDirectory })
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
