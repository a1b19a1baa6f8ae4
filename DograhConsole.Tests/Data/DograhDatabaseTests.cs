using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;

namespace DograhConsole.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DograhDatabaseTests
{
    [Fact]
    public void Without_settings_the_database_is_SQLite()
    {
        Assert.Equal(DatabaseEngine.Sqlite, DograhDatabase.EngineOf(new DatabaseOptions()));
        Assert.Equal(DatabaseEngine.Sqlite, DograhDatabase.EngineOf(new DatabaseOptions { Provider = "" }));
        Assert.Equal(DatabaseEngine.Postgres, DograhDatabase.EngineOf(new DatabaseOptions { Provider = "Postgres", ConnectionString = "Host=db;Database=dograh" }));
    }

    [Fact]
    public void PostgreSQL_without_a_connection_string_stops_the_start_with_what_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DograhDatabase.EngineOf(new DatabaseOptions { Provider = "postgres" }));
        Assert.Contains("Dograh:Database:ConnectionString", error.Message);
    }

    [Fact]
    public void An_unknown_provider_stops_the_start_naming_the_known_ones()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DograhDatabase.EngineOf(new DatabaseOptions { Provider = "mysql" }));
        Assert.Contains("'mysql'", error.Message);
        Assert.Contains("sqlite", error.Message);
        Assert.Contains("postgres", error.Message);
    }
}
