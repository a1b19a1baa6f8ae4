using System.Text.Json.Serialization;

namespace DograhConsole.Core.Telephony;

/// <summary>
/// Whether an outbound call asks its provider who answered (answering machine detection), and how long it waits:
/// <see cref="Detect"/> reports human or machine as soon as the provider knows; <see cref="WaitForBeep"/> reports a
/// machine only once its greeting has ended (the beep), so a workflow can leave a message. Stored and shown by its wire name.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<VoicemailDetection>))]
public enum VoicemailDetection
{
    [JsonStringEnumMemberName("off")] Off,
    [JsonStringEnumMemberName("detect")] Detect,
    [JsonStringEnumMemberName("wait-for-beep")] WaitForBeep,
}
