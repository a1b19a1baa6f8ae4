namespace DograhConsole.Core.CallControl.Transfer;

/// <summary>
/// A provider whose calls can never be transferred, with the reason the API, the workflow's transfer step and the live
/// view give (a browser's web call has no phone line to hand over). Registered by the provider's folder.
/// </summary>
public sealed record CallTransferRefusal(string Provider, string Reason);
