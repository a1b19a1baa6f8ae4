using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// An outbound call to place: the call record already exists (it holds a concurrency slot). <see cref="VoicemailDetection"/>
/// is one of the provider spec's modes (checked before dialing); each provider maps it to its own API.
/// </summary>
public sealed record ProviderDial(CallView Call, ProviderAccount Account, string From, string To)
{
    public VoicemailDetection VoicemailDetection => Call.VoicemailDetection;
}
