using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Tests.Media.Sessions;

/// <summary>Keeps a copy of every frame sent, and logs frames and mark events in one ordered list.</summary>
internal sealed class RecordingSink : IMediaSink
{
    /// <summary>Whether it stands for a provider that reports played marks (marks then go out through SendMark).</summary>
    public bool ConfirmsMarks { get; init; }

    public void SendMark(string name) => Log.Add($"sent mark {name}");

    public List<short[]> Frames { get; } = [];

    public List<string> Log { get; } = [];

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        Frames.Add(frame.ToArray());
        Log.Add($"frame {frame[0]}");
    }

    public void Watch(MediaSession session)
    {
        session.MarkPlayed += name => Log.Add($"played {name}");
        session.MarkCleared += name => Log.Add($"cleared {name}");
    }
}
