using DograhConsole.Core.CallControl;
using DograhConsole.Core.Common;

namespace DograhConsole.Core.Providers;

/// <summary>A provider's refusal in the provider's own words, as a call-control result.</summary>
public sealed record ProviderRestFailure(string Message)
{
    public OperationResult<T> As<T>() => OperationResult<T>.Conflict(Message, ProviderCallCodes.ProviderError);
}
