using System.Text.Json.Serialization;

namespace DograhConsole.Core.Calls;

/// <summary>Who answered an outbound call, as voicemail detection found; the call context's <c>answered_by</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnsweredBy>))]
public enum AnsweredBy
{
    [JsonStringEnumMemberName("human")] Human,
    /// <summary>An answering machine or voicemail (a fax is reported as a machine, with "fax" as the detail).</summary>
    [JsonStringEnumMemberName("machine")] Machine,
    /// <summary>The provider could not tell, or gave no result in time.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
}
