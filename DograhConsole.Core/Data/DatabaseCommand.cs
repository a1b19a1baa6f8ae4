using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace DograhConsole.Core.Data;

/// <summary>
/// <c>DograhConsole.Web database copy-to-postgres "&lt;connection string&gt;"</c>: copies the SQLite database of the
/// configured data directory (Dograh:DataDirectory) into an empty PostgreSQL database (<see cref="DatabaseCopy"/>).
/// </summary>
public static class DatabaseCommand
{
    public const string Usage = """
        Usage: DograhConsole.Web database copy-to-postgres "<Npgsql connection string>" [--Dograh:DataDirectory=<path>]
          Copies this installation's SQLite database (dograh.db in the data directory) into an empty PostgreSQL database.
          Then run the console with Dograh__Database__Provider=postgres and Dograh__Database__ConnectionString set, and the
          same data directory: its keys/ folder decrypts the stored credentials.
        """;

    /// <summary>Runs the command after "database"; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        if (args is not ["copy-to-postgres", var connectionString, ..] || string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var options = configuration.GetSection(DograhOptions.SectionName).Get<DograhOptions>() ?? new DograhOptions();
        var path = Path.Combine(options.ResolveDataDirectory(), DograhDatabase.DatabaseFileName);
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"No SQLite database at {path}: set Dograh:DataDirectory (or Dograh__DataDirectory) to the installation's data directory.");
            return 1;
        }
        try
        {
            await using var source = new DograhDbContext(new DbContextOptionsBuilder<DograhDbContext>().UseSqlite($"Data Source={path}").Options);
            // The copy is of the current schema, as the console would have migrated it on its next start.
            await source.Database.MigrateAsync(ct);
            await using var target = DograhDatabase.CreatePostgres(connectionString);
            await output.WriteLineAsync($"Copying {path} to PostgreSQL database {new NpgsqlConnectionStringBuilder(connectionString).Database} on {new NpgsqlConnectionStringBuilder(connectionString).Host}:");
            var tables = await DatabaseCopy.CopyAsync(source, target, table => output.WriteLine($"  {table.Table,-28} {table.Rows,9:N0} rows"), ct);
            await output.WriteLineAsync($"Done: {tables.Sum(t => t.Rows):N0} rows in {tables.Count} tables. Keep the data directory (its keys/ folder) with the console.");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException or ArgumentException)
        {
            await error.WriteLineAsync($"Nothing was copied: {ex.Message}");
            return 1;
        }
    }
}
