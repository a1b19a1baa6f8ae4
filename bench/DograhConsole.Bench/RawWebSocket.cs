using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace DograhConsole.Bench;

/// <summary>
/// The client end of one WebSocket (RFC 6455) on a plain non-blocking socket, for the load generator: the opening
/// handshake, masked text frames written into one reused buffer and sent with a single send call, and an incremental
/// parser of the server's frames. No async machinery: one thread sends for every call and one thread receives for
/// every call (<see cref="Epoll"/>), so the generator costs little beside the server it loads.
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int MaxServerFrame = 1 << 20;

    private readonly Socket _socket;
    private readonly byte[] _mask = new byte[4];
    private byte[] _frame = new byte[1024];
    private byte[] _received = new byte[16 * 1024];
    private int _receivedCount;
    private byte[] _pending = [];
    private int _pendingOffset;
    private int _pendingCount;

    private RawWebSocket(Socket socket)
    {
        _socket = socket;
        RandomNumberGenerator.Fill(_mask);
    }

    public int Handle => (int)_socket.SafeHandle.DangerousGetHandle();

    public bool Closed { get; private set; }

    /// <summary>Connects and completes the opening handshake (blocking, with a timeout); then the socket is non-blocking.</summary>
    public static RawWebSocket Connect(Uri uri, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
            socket.Connect(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port));
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            socket.Send(Encoding.ASCII.GetBytes(
                $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            var ws = new RawWebSocket(socket);
            int headerEnd;
            while ((headerEnd = ws._received.AsSpan(0, ws._receivedCount).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (ws._receivedCount == ws._received.Length) throw new IOException("the handshake answer is too long");
                int n = socket.Receive(ws._received, ws._receivedCount, ws._received.Length - ws._receivedCount, SocketFlags.None);
                if (n == 0) throw new IOException("the server closed the connection during the handshake");
                ws._receivedCount += n;
            }

            string header = Encoding.ASCII.GetString(ws._received, 0, headerEnd);
#pragma warning disable CA5350 // RFC 6455 defines Sec-WebSocket-Accept with SHA-1
            string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
            if (!header.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                throw new IOException($"the server refused the WebSocket: {header.Split("\r\n")[0]}");
            if (!header.Split("\r\n").Any(line => line.StartsWith("Sec-WebSocket-Accept:", StringComparison.OrdinalIgnoreCase) && line[21..].Trim() == expected))
                throw new IOException("the server's Sec-WebSocket-Accept does not match the key");

            // Frames the server sent right behind its answer stay for the parser.
            ws._receivedCount -= headerEnd + 4;
            Buffer.BlockCopy(ws._received, headerEnd + 4, ws._received, 0, ws._receivedCount);
            socket.Blocking = false;
            return ws;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one text message. False, sending nothing, while an earlier message is still partly unsent (the server
    /// is not reading); a message the kernel takes only in part is finished by <see cref="TryFlush"/>.
    /// </summary>
    public bool TrySendText(ReadOnlySpan<byte> payload) => TrySend(0x1, payload);

    public bool TrySend(byte opcode, ReadOnlySpan<byte> payload)
    {
        if (Closed || !TryFlush()) return false;
        int headerLength = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        int total = headerLength + 4 + payload.Length;
        if (_frame.Length < total) _frame = new byte[Math.Max(total, _frame.Length * 2)];
        _frame[0] = (byte)(0x80 | opcode);
        if (headerLength == 2)
        {
            _frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (headerLength == 4)
        {
            _frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            _frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(_frame.AsSpan(2), (ulong)payload.Length);
        }

        _mask.CopyTo(_frame, headerLength);
        var body = _frame.AsSpan(headerLength + 4, payload.Length);
        for (int i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ _mask[i & 3]);
        }

        int sent = SendSome(_frame, 0, total);
        if (sent < total)
        {
            if (_pending.Length < total - sent) _pending = new byte[total];
            Buffer.BlockCopy(_frame, sent, _pending, 0, total - sent);
            _pendingOffset = 0;
            _pendingCount = total - sent;
        }

        return true;
    }

    /// <summary>Sends what is left of a partly sent message; true when nothing is left.</summary>
    public bool TryFlush()
    {
        if (_pendingCount == 0) return true;
        int sent = SendSome(_pending, _pendingOffset, _pendingCount);
        _pendingOffset += sent;
        _pendingCount -= sent;
        return _pendingCount == 0;
    }

    /// <summary>
    /// Reads what the socket has (until it would block) and hands each complete server message to
    /// <paramref name="onMessage"/> (opcode, payload). Answers nothing itself: the caller decides about pings.
    /// </summary>
    public void Drain(IServerMessages onMessage)
    {
        while (!Closed)
        {
            if (_receivedCount == _received.Length) Array.Resize(ref _received, _received.Length * 2);
            int n = _socket.Receive(_received, _receivedCount, _received.Length - _receivedCount, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success || n == 0)
            {
                Closed = true;
                return;
            }

            _receivedCount += n;
            int consumed = ParseFrames(onMessage);
            _receivedCount -= consumed;
            if (consumed > 0 && _receivedCount > 0) Buffer.BlockCopy(_received, consumed, _received, 0, _receivedCount);
        }
    }

    public void Dispose()
    {
        Closed = true;
        _socket.Dispose();
    }

    private int ParseFrames(IServerMessages onMessage)
    {
        int offset = 0;
        while (true)
        {
            var data = _received.AsSpan(offset, _receivedCount - offset);
            if (data.Length < 2) return offset;
            byte opcode = (byte)(data[0] & 0x0F);
            bool masked = (data[1] & 0x80) != 0;
            long length = data[1] & 0x7F;
            int header = 2;
            if (length == 126)
            {
                if (data.Length < 4) return offset;
                length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                header = 4;
            }
            else if (length == 127)
            {
                if (data.Length < 10) return offset;
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
                header = 10;
            }

            if (masked || length > MaxServerFrame) throw new IOException("the server sent a masked or oversized frame");
            if (data.Length < header + length) return offset;
            // Every server message here fits one frame (FIN set); continuation frames are passed on as they come.
            onMessage.OnMessage(opcode, data.Slice(header, (int)length));
            if (opcode == 0x8) Closed = true;
            offset += header + (int)length;
        }
    }

    private int SendSome(byte[] buffer, int offset, int count)
    {
        int sent = _socket.Send(buffer, offset, count, SocketFlags.None, out var error);
        if (error is SocketError.Success or SocketError.WouldBlock) return Math.Max(0, sent);
        Closed = true;
        return count; // a broken connection: drop the rest, the receive side reports the close
    }
}

/// <summary>Receives the server's messages of one <see cref="RawWebSocket"/>.</summary>
internal interface IServerMessages
{
    void OnMessage(byte opcode, ReadOnlySpan<byte> payload);
}

/// <summary>Linux epoll over many non-blocking sockets: which of them have data to read.</summary>
internal sealed class Epoll : IDisposable
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const uint EpollRdHup = 0x2000;

    // struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16 bytes).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _fd;
    private readonly byte[] _events;

    public Epoll(int maxEventsPerWait)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the load client uses Linux epoll");
        _fd = epoll_create1(0);
        if (_fd < 0) throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        _events = new byte[maxEventsPerWait * EventSize];
    }

    public void Add(int socket, int id)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ev, EpollIn | EpollRdHup);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[DataOffset..], (ulong)id);
        if (epoll_ctl(_fd, EpollCtlAdd, socket, ref MemoryMarshal.GetReference(ev)) != 0)
            throw new IOException($"epoll_ctl ADD failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Remove(int socket)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        _ = epoll_ctl(_fd, EpollCtlDel, socket, ref MemoryMarshal.GetReference(ev)); // a socket already closed is gone from the set anyway
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> and writes the ids of the ready sockets; returns how many.</summary>
    public int Wait(Span<int> ready, int timeoutMs)
    {
        int max = Math.Min(ready.Length, _events.Length / EventSize);
        int n = epoll_wait(_fd, ref MemoryMarshal.GetArrayDataReference(_events), max, timeoutMs);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == 4) return 0; // EINTR
            throw new IOException($"epoll_wait failed: errno {errno}");
        }

        for (int i = 0; i < n; i++)
        {
            ready[i] = (int)BinaryPrimitives.ReadUInt64LittleEndian(_events.AsSpan((i * EventSize) + DataOffset));
        }

        return n;
    }

    public void Dispose() => _ = close(_fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, ref byte ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epfd, ref byte events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
