namespace DograhConsole.Tests.Infrastructure;

/// <summary>The workflow definitions that tests of several parts run on the real runner, defined once.</summary>
public static class TestWorkflows
{
    /// <summary>
    /// A 400 ms greeting tone (440 Hz), then a one-key menu that waits a minute: 1 plays 880 Hz and hangs up ("chose
    /// one"), 2 plays 660 Hz and hangs up ("chose two"), no key hangs up ("no choice"). Calls stay up until a key or a
    /// hang-up ends them.
    /// </summary>
    public const string Menu = """
        {"steps":[
          {"id":"greet","type":"tone","frequencyHz":440,"durationMs":400},
          {"id":"menu","type":"gather","numDigits":1,"timeoutSeconds":60,"branches":{"1":"pressed-one","2":"pressed-two"},"default":"no-choice"},
          {"id":"pressed-one","type":"tone","frequencyHz":880,"durationMs":200},
          {"id":"bye-one","type":"hangup","reason":"chose one"},
          {"id":"pressed-two","type":"tone","frequencyHz":660,"durationMs":200},
          {"id":"bye-two","type":"hangup","reason":"chose two"},
          {"id":"no-choice","type":"hangup","reason":"no choice"}
        ]}
        """;

    /// <summary>
    /// Voicemail detection's branch: a machine hears an 880 Hz "message" and the call hangs up ("left a message"); a
    /// person or an unknown answer hears the 440 Hz greeting and the call hangs up ("spoke to a person").
    /// </summary>
    public const string Voicemail = """
        {"steps":[
          {"id":"who","type":"branch","value":"{{answered_by}}","cases":{"machine":"message","human":"greet"},"default":"greet"},
          {"id":"greet","type":"tone","frequencyHz":440,"durationMs":200},
          {"id":"bye-person","type":"hangup","reason":"spoke to a person"},
          {"id":"message","type":"tone","frequencyHz":880,"durationMs":200},
          {"id":"bye-machine","type":"hangup","reason":"left a message"}
        ]}
        """;
}
