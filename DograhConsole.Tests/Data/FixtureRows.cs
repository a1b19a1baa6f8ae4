using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Data;

/// <summary>
/// Every row of every table of the EF model, read through the entity classes (all organizations), as JSON: one array
/// per entity name, rows sorted by their text. Navigation properties are left out, so a row is its columns only.
/// The upgrade fixture stores what the release that made it read; the upgrade test compares what the current code reads.
/// </summary>
public static class FixtureRows
{
    private static readonly JsonSerializerOptions Json = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ColumnsOnly } },
    };

    public static async Task<JsonObject> ReadAsync(DograhDbContext db)
    {
        var tables = new JsonObject();
        var read = typeof(FixtureRows).GetMethod(nameof(ReadTableAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var entity in db.Model.GetEntityTypes().OrderBy(e => e.ClrType.Name, StringComparer.Ordinal))
        {
            var rows = await (Task<JsonArray>)read.MakeGenericMethod(entity.ClrType).Invoke(null, [db])!;
            tables[entity.ClrType.Name] = rows;
        }
        return tables;
    }

    private static async Task<JsonArray> ReadTableAsync<T>(DograhDbContext db) where T : class
    {
        var rows = await db.Set<T>().IgnoreQueryFilters().AsNoTracking().ToListAsync();
        var texts = rows.Select(r => JsonSerializer.Serialize(r, Json)).Order(StringComparer.Ordinal);
        return new JsonArray(texts.Select(t => JsonNode.Parse(t)).ToArray());
    }

    private static void ColumnsOnly(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var type = Nullable.GetUnderlyingType(info.Properties[i].PropertyType) ?? info.Properties[i].PropertyType;
            var column = type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(Guid) || type == typeof(DateTime)
                || type == typeof(DateTimeOffset) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(byte[]);
            if (!column) info.Properties.RemoveAt(i);
        }
    }
}
