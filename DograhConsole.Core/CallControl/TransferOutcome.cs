
namespace DograhConsole.Core.CallControl;

/// <summary>What a transfer came to. Only <see cref="Transferred"/> ends the workflow; the others let it continue.</summary>
public enum TransferOutcome
{
    /// <summary>The provider took the call to the destination; the console's media leg is gone.</summary>
    Transferred,
    Busy,
    NoAnswer,
    Failed,
}
