using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.CallControl;

/// <summary>An outbound call to place: the call record already exists (it holds a concurrency slot).</summary>
public sealed record ProviderDial(CallView Call, ProviderAccount Account, string From, string To);
