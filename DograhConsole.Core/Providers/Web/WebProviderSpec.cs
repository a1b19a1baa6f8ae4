using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Core.Providers.Web;

/// <summary>
/// The browser as the caller: a call the signed-in user places from a workflow's page to try it without any phone
/// provider. It has no account, credentials or numbers, so it is deliberately not a <c>ProviderSpec</c> in the
/// registry: it never appears among the providers a telephony configuration can be made for, and its calls have no
/// configuration (<c>TelephonyConfigurationId</c> is null). Its calls are otherwise ordinary call records: provider
/// <see cref="Name"/>, direction inbound, the signed-in user as the caller.
/// </summary>
public static class WebProviderSpec
{
    public const string Name = "web";
    public const string DisplayName = "Web call";
    /// <summary>16 kHz 16-bit mono PCM both ways: wideband, and a rate every browser's AudioContext can run or resample to.</summary>
    public const int SampleRate = AudioFormat.WidebandRate;
    /// <summary>One 20 ms frame: 320 samples of 2 bytes; every binary message on the socket is exactly one frame.</summary>
    public const int FrameBytes = 640;
    /// <summary>Why transfer is refused, on the call's timeline and in the transfer dialog.</summary>
    public const string TransferRefusal = "A web call cannot be transferred: its caller is a browser, not a phone line.";
}
