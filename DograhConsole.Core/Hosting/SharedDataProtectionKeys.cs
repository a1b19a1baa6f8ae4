using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// Where the data-protection keys (which sign cookies and media tokens and encrypt stored secrets) live: the data
/// directory's <c>keys</c> folder on one host; with Redis, one list every host reads (<see cref="RedisKeyName"/>).
/// </summary>
public static class SharedDataProtectionKeys
{
    public const string RedisKeyName = "data-protection-keys";

    public static void Configure(IServiceCollection services, RedisConnection redis, string dataDirectory)
    {
        var folder = new DirectoryInfo(Path.Combine(dataDirectory, "keys"));
        var builder = services.AddDataProtection().SetApplicationName("DograhConsole");
        if (!redis.Enabled)
        {
            builder.PersistKeysToFileSystem(folder);
            return;
        }
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new RedisKeysWithFileKeys(
                new RedisXmlRepository(() => redis.Database, redis.Key(RedisKeyName)),
                new FileSystemXmlRepository(folder, provider.GetRequiredService<ILoggerFactory>()),
                provider.GetRequiredService<ILogger<RedisKeysWithFileKeys>>())));
    }
}

/// <summary>
/// The keys in Redis, after copying in any key of the data directory that Redis lacks: an install that ran on one host
/// and then adds Redis keeps decrypting what its file keys protected, on every host. New keys go to Redis only.
/// </summary>
internal sealed class RedisKeysWithFileKeys(IXmlRepository redis, IXmlRepository files, ILogger<RedisKeysWithFileKeys> logger) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var shared = redis.GetAllElements().ToList();
        var known = shared.Select(Identity).ToHashSet(StringComparer.Ordinal);
        foreach (var element in files.GetAllElements())
        {
            if (!known.Add(Identity(element))) continue;
            redis.StoreElement(element, (string?)element.Attribute("id") is { } id ? "key-" + id : "revocation");
            shared.Add(element);
            logger.LogInformation("Copied data-protection key {KeyId} from the data directory into Redis, so every host can use it",
                (string?)element.Attribute("id") ?? "(revocation)");
        }
        return shared;
    }

    public void StoreElement(XElement element, string friendlyName) => redis.StoreElement(element, friendlyName);

    private static string Identity(XElement element) => (string?)element.Attribute("id") ?? element.ToString(SaveOptions.DisableFormatting);
}
