using System.Threading.Channels;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.WorkflowRuntime.Recording;

/// <summary>
/// Records both directions of a call into a stereo PCM16 WAV (left: caller, right: agent) on the session's 20 ms
/// clock: tick k's agent frame (silence when none was sent) lands at k × frame; a caller frame lands at the current
/// tick's position, or right after the previous caller frame when frames arrive in a burst. The taps only copy into
/// memory under a short lock; a background task writes the finished seconds to the file, so the clock never waits
/// on the disk.
/// </summary>
public sealed class CallRecorder : IMediaTap
{
    /// <summary>Caller audio more than this far ahead of the clock (a flood) is dropped.</summary>
    private const int MaxCallerLeadFrames = 100;
    // One second of audio per write: few file writes, and at most a second unwritten if the process dies.
    private const int FlushEveryFrames = 50;

    private readonly Lock _gate = new();
    private readonly int _frame;
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private short[] _left;
    private short[] _right;
    private long _base;          // sample index of _left[0] / _right[0]
    private long _agentCursor;   // where the next tick's agent frame goes
    private long _callerCursor;
    private long _written;
    private bool _finished;

    public CallRecorder(string path, int sampleRate)
    {
        Path = path;
        SampleRate = sampleRate;
        _frame = AudioFormat.SamplesPerFrame(sampleRate);
        _left = new short[_frame * FlushEveryFrames * 4];
        _right = new short[_left.Length];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _writer = Task.Run(WriteAsync);
    }

    public string Path { get; }

    public int SampleRate { get; }

    /// <summary>Stereo frames (sample pairs) written so far.</summary>
    public long FramesWritten => Interlocked.Read(ref _written);

    public void OnCallerFrame(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (_finished) return;
            long at = Math.Max(_callerCursor, _agentCursor);
            if (at - _agentCursor > MaxCallerLeadFrames * _frame) return;
            Put(ref _left, at, frame);
            _callerCursor = at + frame.Length;
        }
    }

    public void OnAgentTick(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (_finished) return;
            if (!frame.IsEmpty) Put(ref _right, _agentCursor, frame[..Math.Min(frame.Length, _frame)]);
            else Ensure(_agentCursor + _frame);
            _agentCursor += _frame;
            if (_agentCursor - _base >= (long)_frame * FlushEveryFrames) Emit(_agentCursor);
        }
    }

    /// <summary>Stops recording, writes what is left and the final header. Returns the duration recorded.</summary>
    public async Task<TimeSpan> FinishAsync()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                _finished = true;
                Emit(Math.Max(_agentCursor, _callerCursor));
                _chunks.Writer.TryComplete();
            }
        }
        await _writer;
        return TimeSpan.FromSeconds((double)FramesWritten / SampleRate);
    }

    private void Put(ref short[] channel, long at, ReadOnlySpan<short> frame)
    {
        Ensure(at + frame.Length);
        frame.CopyTo(channel.AsSpan((int)(at - _base)));
    }

    private void Ensure(long end)
    {
        int needed = (int)(end - _base);
        if (needed <= _left.Length) return;
        int size = Math.Max(needed, _left.Length * 2);
        Array.Resize(ref _left, size);
        Array.Resize(ref _right, size);
    }

    /// <summary>Interleaves [base, end) into one chunk for the writer and shifts the windows.</summary>
    private void Emit(long end)
    {
        int count = (int)(end - _base);
        if (count <= 0) return;
        var bytes = new byte[count * 4];
        var span = bytes.AsSpan();
        for (int i = 0; i < count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[(i * 4)..], _left[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[(i * 4 + 2)..], _right[i]);
        }
        int rest = _left.Length - count;
        Array.Copy(_left, count, _left, 0, rest);
        Array.Copy(_right, count, _right, 0, rest);
        Array.Clear(_left, rest, count);
        Array.Clear(_right, rest, count);
        _base = end;
        _chunks.Writer.TryWrite(bytes);
    }

    private async Task WriteAsync()
    {
        await using var file = new FileStream(Path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 64 * 1024, useAsync: true);
        var header = new byte[WavFile.HeaderLength];
        WavFile.WriteHeader(header, SampleRate, 2, 0);
        await file.WriteAsync(header);
        long dataBytes = 0;
        await foreach (var chunk in _chunks.Reader.ReadAllAsync())
        {
            await file.WriteAsync(chunk);
            dataBytes += chunk.Length;
            Interlocked.Exchange(ref _written, dataBytes / 4);
        }
        WavFile.WriteHeader(header, SampleRate, 2, dataBytes);
        file.Position = 0;
        await file.WriteAsync(header);
    }
}
