using DograhConsole.Core.Data;

namespace DograhConsole.Core.Workflows.Prompts;

/// <summary>An uploaded audio prompt for play steps; its audio is a mono PCM16 16 kHz WAV under <c>{data}/prompts/</c>.</summary>
public sealed class Prompt : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    public int DurationMs { get; set; }
    /// <summary>What was uploaded, e.g. "ulaw 8000 Hz stereo".</summary>
    public string SourceFormat { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed record PromptView(Guid Id, string Name, int DurationMs, string SourceFormat, DateTime CreatedAt)
{
    public static PromptView FromEntity(Prompt p) => new(p.Id, p.Name, p.DurationMs, p.SourceFormat, p.CreatedAt);
}
