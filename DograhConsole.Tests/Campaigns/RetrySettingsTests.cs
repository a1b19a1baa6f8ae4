using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;

namespace DograhConsole.Tests.Campaigns;

/// <summary>Which results a campaign calls again, after how long, and how a call becomes a contact's result.</summary>
[Trait("Category", "Unit")]
public sealed class RetrySettingsTests
{
    [Fact]
    public void A_voicemail_is_retried_only_when_asked_and_after_its_own_delay()
    {
        var retry = new RetrySettings { DelaySeconds = 600 };
        Assert.False(retry.Applies(ContactResults.Voicemail));
        Assert.Equal(600, retry.DelayAfter(ContactResults.Voicemail));

        retry.OnVoicemail = true;
        retry.VoicemailDelaySeconds = 3600;
        Assert.True(retry.Applies(ContactResults.Voicemail));
        Assert.Equal(3600, retry.DelayAfter(ContactResults.Voicemail));
        Assert.Equal(600, retry.DelayAfter(ContactResults.Busy));
        Assert.False(retry.Applies(ContactResults.Completed));
    }

    [Theory]
    [InlineData(CallStatus.Completed, AnsweredBy.Machine, ContactResults.Voicemail)]
    [InlineData(CallStatus.Completed, AnsweredBy.Human, ContactResults.Completed)]
    [InlineData(CallStatus.Completed, AnsweredBy.Unknown, ContactResults.Completed)]
    [InlineData(CallStatus.Completed, null, ContactResults.Completed)]
    [InlineData(CallStatus.Failed, AnsweredBy.Machine, ContactResults.Failed)]
    public void A_completed_call_a_machine_answered_is_a_voicemail(CallStatus status, AnsweredBy? answeredBy, string expected) =>
        Assert.Equal(expected, CampaignStore.ResultOf(status, answeredBy));

    [Fact]
    public void A_voicemail_delay_out_of_range_is_refused_under_its_field()
    {
        var errors = new Core.Common.ValidationErrors();
        new CampaignSettings { Retry = new RetrySettings { VoicemailDelaySeconds = 0 } }.Validate(errors);
        Assert.True(errors.Has("settings.retry.voicemailDelaySeconds"));
    }
}
