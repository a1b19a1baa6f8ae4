using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.Common;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Telephony;

namespace DograhConsole.Tests.CallControl.Outbound;

/// <summary>What a call may ask for: a known mode its provider offers, with the reason otherwise.</summary>
[Trait("Category", "Unit")]
public sealed class VoicemailDetectionRequestTests
{
    [Theory]
    [InlineData(null, VoicemailDetection.Off)]
    [InlineData("", VoicemailDetection.Off)]
    [InlineData("off", VoicemailDetection.Off)]
    [InlineData("Detect", VoicemailDetection.Detect)]
    [InlineData("wait-for-beep", VoicemailDetection.WaitForBeep)]
    [InlineData(" wait_for_beep ", VoicemailDetection.WaitForBeep)]
    public void Every_mode_name_reads_as_its_mode(string? raw, VoicemailDetection expected)
    {
        var errors = new ValidationErrors();
        Assert.Equal(expected, OutboundCallService.ParseVoicemailDetection(raw, TwilioProviderSpec.Create(), errors));
        Assert.False(errors.Any);
    }

    [Fact]
    public void An_unknown_mode_is_refused_with_the_known_ones()
    {
        var errors = new ValidationErrors();
        OutboundCallService.ParseVoicemailDetection("beep", TwilioProviderSpec.Create(), errors);
        var error = Assert.Single(errors.ToDictionary()["voicemailDetection"]);
        Assert.Equal("Voicemail detection is one of off, detect, wait-for-beep.", error);
    }

    [Fact]
    public void A_provider_without_detection_refuses_it_by_name_and_accepts_off()
    {
        var spec = AriProviderSpec.Create();
        var errors = new ValidationErrors();
        OutboundCallService.ParseVoicemailDetection("detect", spec, errors);
        Assert.Equal("Asterisk (ARI) does not offer voicemail detection.", Assert.Single(errors.ToDictionary()["voicemailDetection"]));

        var off = new ValidationErrors();
        Assert.Equal(VoicemailDetection.Off, OutboundCallService.ParseVoicemailDetection("off", spec, off));
        Assert.False(off.Any);
    }

    [Fact]
    public void Names_round_trip()
    {
        foreach (var mode in VoicemailDetections.All)
            Assert.Equal(mode, VoicemailDetections.Parse(VoicemailDetections.Name(mode)));
    }
}
