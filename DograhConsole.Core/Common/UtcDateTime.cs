namespace DograhConsole.Core.Common;

public static class UtcDateTime
{
    /// <summary>SQLite drops DateTimeKind; every DateTime we store is UTC.</summary>
    public static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
