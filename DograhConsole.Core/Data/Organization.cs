namespace DograhConsole.Core.Data;

public sealed class Organization
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public int MaxConcurrentCalls { get; set; } = 10;
    /// <summary>The IANA time zone new campaigns start with.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";
    public CallerIdPolicy CallerIdPolicy { get; set; }
    public DateTime CreatedAt { get; set; }
}
