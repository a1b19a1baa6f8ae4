using System.Net.Sockets;
using System.Text;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>The test kit's PostgreSQL and Redis start on loopback and answer.</summary>
[Trait("Category", "Host")]
public sealed class ServerProcessTests
{
    [ServersFact]
    public async Task PostgreSQL_answers_on_loopback_with_a_fresh_database_per_caller()
    {
        var server = await PostgresServer.SharedAsync();
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync();
        Assert.NotEqual(first, second);
        var database = first.Split(';').Single(part => part.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        var answer = await ServerProcess.RunAsync(Path.Combine(PostgresServer.BinDirectory!, "psql"),
            ["-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-tAc", "select current_database()"]);
        Assert.Equal(database, answer.Trim());
    }

    [ServersFact(postgres: false, redis: true)]
    public async Task Redis_answers_PING_on_loopback()
    {
        var server = await RedisServer.SharedAsync();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
        var buffer = new byte[16];
        int read = await stream.ReadAsync(buffer);
        Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, read));
    }
}
