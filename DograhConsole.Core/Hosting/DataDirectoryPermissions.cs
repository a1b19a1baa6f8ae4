using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// The data directory holds the database and the data-protection keys that decrypt every stored credential: only the
/// console's own user may read it. Creating it with 0700 covers a fresh install only, so start-up also tightens a
/// directory that already exists, and gives the database and its -wal and -shm files 0600 (SQLite gives the -wal and
/// -shm files the database's own mode). When it cannot (another owner, a read-only mount) it warns once.
/// </summary>
public static class DataDirectoryPermissions
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Before the database opens: the directories, and an empty database file created 0600 when there is none.</summary>
    public static void TightenBeforeOpen(string dataDirectory, string databasePath, List<string> failures)
    {
        if (OperatingSystem.IsWindows()) return;
        Tighten(dataDirectory, OwnerOnlyDirectory, failures);
        var keys = Path.Combine(dataDirectory, "keys");
        if (Directory.Exists(keys)) Tighten(keys, OwnerOnlyDirectory, failures);
        if (!File.Exists(databasePath))
        {
            try
            {
                // An empty file is an empty SQLite database; created here it never exists with the umask's mode.
                using var _ = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
            }
            catch (IOException)
            {
                // Created meanwhile by someone else: tightened below like an existing one.
            }
            catch (UnauthorizedAccessException)
            {
                failures.Add(databasePath);
            }
        }
        TightenDatabaseFiles(databasePath, failures);
    }

    /// <summary>After migrations switched the database to WAL: the database, -wal and -shm files.</summary>
    public static void TightenDatabaseFiles(string databasePath, List<string> failures)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" })
        {
            if (File.Exists(path) && !failures.Contains(path)) Tighten(path, OwnerOnlyFile, failures);
        }
    }

    private static void Tighten(string path, UnixFileMode wanted, List<string> failures)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupAndOthers) != 0) File.SetUnixFileMode(path, (mode & ~GroupAndOthers) | wanted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add(path);
        }
    }

    /// <summary>One warning for everything that could not be tightened.</summary>
    public static void Warn(List<string> failures, ILogger logger)
    {
        if (failures.Count > 0)
        {
            logger.LogWarning("Could not limit {Paths} to the console's own user: other local users may be able to read the database or the keys that decrypt the stored credentials",
                string.Join(", ", failures));
        }
    }
}
