namespace DograhConsole.Core.Data;

public sealed class Organization
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public int MaxConcurrentCalls { get; set; } = 10;
    public DateTime CreatedAt { get; set; }
}
