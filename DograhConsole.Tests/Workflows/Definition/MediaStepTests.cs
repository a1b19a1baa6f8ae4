using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>say, play, tone and pause.</summary>
[Trait("Category", "Unit")]
public sealed class MediaStepTests
{
    [Fact]
    public void A_say_step_has_text_and_an_optional_voice()
    {
        var say = Single<SayStep>("""{"id":"hi","type":"say","text":"Hello {{name}}","voice":"en-us"}""");
        Assert.Equal(("hi", "Hello {{name}}", "en-us"), (say.Id, say.Text, say.Voice));
        Assert.Null(Single<SayStep>("""{"type":"say","text":"Hi"}""").Voice);
    }

    [Theory]
    [InlineData("""{"type":"say"}""", "is required")]
    [InlineData("""{"type":"say","text":null}""", "is required")]
    [InlineData("""{"type":"say","text":""}""", "must not be empty")]
    [InlineData("""{"type":"say","text":"  "}""", "must not be empty")]
    [InlineData("""{"type":"say","text":42}""", "must be a string, not a number")]
    [InlineData("""{"type":"say","text":["a"]}""", "must be a string, not an array")]
    public void A_say_step_needs_text(string step, string expected)
    {
        var message = Steps(step).SingleError("definition.steps[0].text");
        Assert.StartsWith("Step 1: \"text\"", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void Say_text_is_at_most_5000_characters()
    {
        Single<SayStep>($$"""{"type":"say","text":"{{new string('a', WorkflowLimits.MaxTextLength)}}"}""");
        var message = Steps($$"""{"type":"say","text":"{{new string('a', WorkflowLimits.MaxTextLength + 1)}}"}""").SingleError("definition.steps[0].text");
        Assert.Contains("at most 5000 characters", message);
    }

    [Fact]
    public void A_say_voice_must_be_a_string()
    {
        Steps("""{"type":"say","text":"Hi","voice":7}""").SingleError("definition.steps[0].voice");
    }

    [Fact]
    public void A_play_step_names_an_uploaded_prompt_by_GUID()
    {
        var id = Guid.NewGuid();
        Assert.Equal(id, Single<PlayStep>($$"""{"type":"play","promptId":"{{id}}"}""").PromptId);
    }

    [Theory]
    [InlineData("""{"type":"play"}""", "is required")]
    [InlineData("""{"type":"play","promptId":"welcome.wav"}""", "GUID")]
    [InlineData("""{"type":"play","promptId":"00000000-0000-0000-0000-000000000000"}""", "GUID")]
    [InlineData("""{"type":"play","promptId":12}""", "must be a string")]
    public void A_play_step_without_a_prompt_GUID_is_refused(string step, string expected)
    {
        Assert.Contains(expected, Steps(step).SingleError("definition.steps[0].promptId"));
    }

    [Fact]
    public void A_tone_step_has_a_frequency_and_a_duration()
    {
        var tone = Single<ToneStep>("""{"type":"tone","frequencyHz":440,"durationMs":250}""");
        Assert.Equal((440, 250), (tone.FrequencyHz, tone.DurationMs));
        Single<ToneStep>("""{"type":"tone","frequencyHz":20,"durationMs":10}""");
        Single<ToneStep>("""{"type":"tone","frequencyHz":7999,"durationMs":60000}""");
    }

    [Theory]
    [InlineData("""{"type":"tone","durationMs":100}""", "frequencyHz", "is required")]
    [InlineData("""{"type":"tone","frequencyHz":19,"durationMs":100}""", "frequencyHz", "from 20 to 7999 (it is 19)")]
    [InlineData("""{"type":"tone","frequencyHz":8000,"durationMs":100}""", "frequencyHz", "from 20 to 7999")]
    [InlineData("""{"type":"tone","frequencyHz":440.5,"durationMs":100}""", "frequencyHz", "whole number")]
    [InlineData("""{"type":"tone","frequencyHz":440}""", "durationMs", "is required")]
    [InlineData("""{"type":"tone","frequencyHz":440,"durationMs":9}""", "durationMs", "from 10 to 60000")]
    [InlineData("""{"type":"tone","frequencyHz":440,"durationMs":60001}""", "durationMs", "from 10 to 60000")]
    [InlineData("""{"type":"tone","frequencyHz":440,"durationMs":"100"}""", "durationMs", "not a string")]
    [InlineData("""{"type":"tone","frequencyHz":440,"durationMs":1e20}""", "durationMs", "whole number")]
    public void Tone_limits_are_enforced(string step, string field, string expected)
    {
        var message = Steps(step).SingleError($"definition.steps[0].{field}");
        Assert.StartsWith($"Step 1: \"{field}\"", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(600000)]
    public void A_pause_lasts_from_10_ms_to_10_minutes(int durationMs)
    {
        Assert.Equal(durationMs, Single<PauseStep>($$"""{"type":"pause","durationMs":{{durationMs}}}""").DurationMs);
    }

    [Theory]
    [InlineData("""{"type":"pause"}""", "is required")]
    [InlineData("""{"type":"pause","durationMs":9}""", "from 10 to 600000")]
    [InlineData("""{"type":"pause","durationMs":600001}""", "from 10 to 600000")]
    [InlineData("""{"type":"pause","durationMs":"500"}""", "not a string")]
    [InlineData("""{"type":"pause","durationMs":true}""", "not true/false")]
    public void Pause_limits_are_enforced(string step, string expected)
    {
        Assert.Contains(expected, Steps(step).SingleError("definition.steps[0].durationMs"));
    }

    [Fact]
    public void A_typo_in_a_property_name_is_named_with_a_suggestion()
    {
        var outcome = Steps("""{"id":"wait","type":"pause","durationMs":100,"durationMS":200}""");
        var message = outcome.SingleError("definition.steps[0].durationMS");
        Assert.StartsWith("Step 1 ('wait'): unknown property \"durationMS\"", message);
        Assert.Contains("Did you mean \"durationMs\"?", message);
    }

    [Fact]
    public void An_unknown_property_lists_the_step_types_properties()
    {
        var message = Steps("""{"type":"say","text":"Hi","speed":2}""").SingleError("definition.steps[0].speed");
        Assert.Contains("A say step has: id, type, text, voice.", message);
    }

    [Fact]
    public void A_property_given_twice_is_refused()
    {
        Assert.Contains("more than once", Steps("""{"type":"say","text":"a","text":"b"}""").SingleError("definition.steps[0].text"));
    }
}
