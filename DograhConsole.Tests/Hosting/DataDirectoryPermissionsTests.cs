using DograhConsole.Core;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Hosting;

[Trait("Category", "Host")]
public sealed class DataDirectoryPermissionsTests
{
    [Fact]
    public void An_existing_loose_data_directory_and_database_are_tightened_at_start_up()
    {
        if (OperatingSystem.IsWindows()) return;
        using var factory = new DograhAppFactory();
        var loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(factory.DataDirectory, loose);
        File.SetUnixFileMode(factory.DataDirectory, loose);
        _ = factory.Services;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(factory.DataDirectory));
        var database = Path.Combine(factory.DataDirectory, DograhCore.DatabaseFileName);
        foreach (var file in new[] { database, database + "-wal", database + "-shm" }.Where(File.Exists))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.True(File.Exists(database + "-wal"), "the database runs in WAL mode");
        Assert.DoesNotContain(factory.LogLines, l => l.Contains("Could not limit", StringComparison.Ordinal));
    }

    [Fact]
    public void A_loose_database_file_from_before_is_tightened()
    {
        if (OperatingSystem.IsWindows()) return;
        using var factory = new DograhAppFactory();
        Directory.CreateDirectory(factory.DataDirectory);
        var database = Path.Combine(factory.DataDirectory, DograhCore.DatabaseFileName);
        File.WriteAllBytes(database, []);
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _ = factory.Services;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
    }
}
