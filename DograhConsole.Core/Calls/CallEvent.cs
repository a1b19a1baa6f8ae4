using DograhConsole.Core.Data;
namespace DograhConsole.Core.Calls;

/// <summary>Something that happened on a call, in order (by <see cref="Id"/>).</summary>
public sealed class CallEvent : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CallId { get; set; }
    public DateTime At { get; set; }
    public CallEventKind Kind { get; set; }
    public string Message { get; set; } = "";
    public string? DataJson { get; set; }
}
