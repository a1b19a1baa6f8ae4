// Web call and listen-in in the page: the microphone captured at 16 kHz by an AudioWorklet and sent as 20 ms PCM16
// frames over a WebSocket to the console, and the console's audio played gaplessly through a jitter buffer.
// Blazor imports this module; the dialogs get a handle back and call its methods; state changes go to the .NET
// object's OnState(state, message).

const WIRE_RATE = 16000;
// What the page keeps of the audio it received, for analysis in the page: 60 s at 16 kHz.
const KEPT_SAMPLES = WIRE_RATE * 60;
// Frames waiting in the socket's send buffer beyond this are dropped: a stalled network must not build up delay.
const MAX_BUFFERED_BYTES = 640 * 10;

function socketUrl(path) {
    const url = new URL(path, document.baseURI);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
}

// An AudioContext at 16 kHz when the browser allows it (the worklets then need no resampling); otherwise the
// device's rate, and the worklets resample.
async function openContext() {
    let context;
    try {
        context = new AudioContext({ sampleRate: WIRE_RATE, latencyHint: "interactive" });
    } catch {
        context = new AudioContext({ latencyHint: "interactive" });
    }
    await context.audioWorklet.addModule(new URL("audio-worklets.js", document.baseURI).toString());
    if (context.state !== "running") await context.resume();
    return context;
}

function setMeter(id, db) {
    const element = document.getElementById(id);
    if (!element) return;
    const clamped = Math.max(-60, Math.min(0, db));
    element.style.setProperty("--level", `${((clamped + 60) / 60) * 100}%`);
    element.setAttribute("aria-valuenow", clamped.toFixed(0));
}

// The audio received, kept for analysis (the browser tests ask the page what it heard).
class ReceivedAudio {
    constructor() {
        this.samples = new Int16Array(KEPT_SAMPLES);
        this.length = 0;
        this.sampleRate = WIRE_RATE;
    }

    add(frame) {
        const room = this.samples.length - this.length;
        if (room <= 0) return;
        const take = Math.min(room, frame.length);
        this.samples.set(frame.subarray(0, take), this.length);
        this.length += take;
    }

    // The largest share of a 100 ms window's energy at `frequency` (Goertzel), over all windows: about 1 for a pure tone.
    toneShare(frequency) {
        const window = Math.round(this.sampleRate / 10);
        const coefficient = 2 * Math.cos(2 * Math.PI * frequency / this.sampleRate);
        let best = 0;
        for (let start = 0; start + window <= this.length; start += window / 2) {
            let s1 = 0, s2 = 0, energy = 0;
            for (let i = start; i < start + window; i++) {
                const x = this.samples[i] / 0x8000;
                energy += x * x;
                const s0 = x + coefficient * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            if (energy < 1e-4) continue;
            const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
            best = Math.max(best, (2 * power / window) / energy);
        }
        return best;
    }
}

// The console's audio to the speakers: a playback worklet with its jitter buffer, its level on a meter.
// `maximumMs` bounds the delay the buffer adds: beyond it the oldest audio goes.
async function openPlayback(context, sampleRate, meterId, maximumMs) {
    const node = new AudioWorkletNode(context, "dograh-playback", {
        numberOfInputs: 0,
        outputChannelCount: [1],
        processorOptions: { sampleRate, prebufferMs: 60, maximumMs },
    });
    node.port.onmessage = (e) => setMeter(meterId, e.data.level);
    node.connect(context.destination);
    return node;
}

// A call from this page to a workflow. `dotnet` receives OnState("connecting" | "connected" | "ended" | "error", message).
export async function startWebCall(dotnet, path, token) {
    const call = { socket: null, context: null, stream: null, capture: null, playback: null, received: new ReceivedAudio(), ended: false, sentFrames: 0, droppedFrames: 0 };
    window.dograhWebCall = call;
    const report = (state, message) => { dotnet.invokeMethodAsync("OnState", state, message || null).catch(() => { }); };
    const finish = (state, message) => {
        if (call.ended) return;
        call.ended = true;
        report(state, message);
        teardown(call);
    };

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioWorkletNode) {
        finish("error", "This browser cannot capture audio here: it needs a microphone API and AudioWorklet (a current browser, on HTTPS or localhost).");
        return handle(call, finish);
    }
    try {
        call.stream = await navigator.mediaDevices.getUserMedia({
            audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
        });
    } catch (e) {
        const denied = e && (e.name === "NotAllowedError" || e.name === "SecurityError");
        const missing = e && (e.name === "NotFoundError" || e.name === "OverconstrainedError");
        finish("error", denied ? "Microphone permission was denied: allow the microphone for this site and try again."
            : missing ? "No microphone was found: connect one and try again."
                : `The microphone could not be opened: ${e && e.message ? e.message : e}`);
        return handle(call, finish);
    }

    try {
        call.context = await openContext();
        const source = call.context.createMediaStreamSource(call.stream);
        call.capture = new AudioWorkletNode(call.context, "dograh-capture", { numberOfOutputs: 0, channelCount: 1, channelCountMode: "explicit" });
        source.connect(call.capture);
        // A conversation tolerates a little more delay than a dropout.
        call.playback = await openPlayback(call.context, WIRE_RATE, "webcall-speaker-level", 240);
    } catch (e) {
        finish("error", `Audio could not start in this browser: ${e && e.message ? e.message : e}`);
        return handle(call, finish);
    }

    report("connecting");
    const socket = new WebSocket(socketUrl(path));
    socket.binaryType = "arraybuffer";
    call.socket = socket;
    let endReason = null;
    socket.onopen = () => socket.send(JSON.stringify({ token }));
    socket.onmessage = (e) => {
        if (typeof e.data === "string") {
            const message = JSON.parse(e.data);
            if (message.type === "started") report("connected");
            else if (message.type === "clear") call.playback.port.postMessage("clear");
            else if (message.type === "ended") endReason = message.reason;
            return;
        }
        const frame = new Int16Array(e.data);
        call.received.add(frame);
        call.playback.port.postMessage(e.data, [e.data]);
    };
    socket.onclose = (e) => {
        const reason = endReason || e.reason || (e.code === 1000 ? "The call ended." : `The connection to the console dropped (code ${e.code}).`);
        // Lets what is still buffered play out before the audio stops.
        setTimeout(() => finish("ended", reason), 300);
    };
    call.capture.port.onmessage = (e) => {
        setMeter("webcall-mic-level", e.data.level);
        if (socket.readyState !== WebSocket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
            call.droppedFrames++;
            return;
        }
        socket.send(e.data.frame);
        call.sentFrames++;
    };
    return handle(call, finish);
}

function handle(call, finish) {
    return {
        sendDigit: (digit) => {
            if (call.socket && call.socket.readyState === WebSocket.OPEN) call.socket.send(JSON.stringify({ type: "dtmf", digit }));
        },
        setMuted: (muted) => { if (call.capture) call.capture.port.postMessage({ muted }); },
        hangUp: () => {
            if (call.socket && call.socket.readyState <= WebSocket.OPEN) call.socket.close(1000, "hung up");
            else finish("ended", "You hung up.");
        },
        dispose: () => {
            call.ended = true;
            if (call.socket && call.socket.readyState <= WebSocket.OPEN) call.socket.close(1000, "hung up");
            teardown(call);
        },
    };
}

function teardown(call) {
    if (call.stream) call.stream.getTracks().forEach((t) => t.stop());
    if (call.context && call.context.state !== "closed") call.context.close().catch(() => { });
}

// Listening to a live call: its audio as the console mixes it, played through the same jitter buffer.
export async function listen(dotnet, path) {
    const session = { socket: null, context: null, playback: null, received: new ReceivedAudio(), ended: false };
    window.dograhListen = session;
    const report = (state, message) => { dotnet.invokeMethodAsync("OnState", state, message || null).catch(() => { }); };
    const finish = (state, message) => {
        if (session.ended) return;
        session.ended = true;
        report(state, message);
        if (session.context && session.context.state !== "closed") session.context.close().catch(() => { });
    };
    try {
        session.context = await openContext();
    } catch (e) {
        finish("error", `Audio could not start in this browser: ${e && e.message ? e.message : e}`);
        return { stop: () => { } };
    }
    report("connecting");
    const socket = new WebSocket(socketUrl(path));
    socket.binaryType = "arraybuffer";
    session.socket = socket;
    let endReason = null;
    socket.onmessage = async (e) => {
        if (typeof e.data === "string") {
            const message = JSON.parse(e.data);
            if (message.type === "started") {
                session.received.sampleRate = message.sampleRate;
                // The console keeps at most 160 ms queued per listener; with this, a listener hears the call within 300 ms.
                session.playback = await openPlayback(session.context, message.sampleRate, "listen-level", 120);
                report("connected");
            } else if (message.type === "ended") {
                endReason = message.reason;
            }
            return;
        }
        session.received.add(new Int16Array(e.data));
        if (session.playback) session.playback.port.postMessage(e.data, [e.data]);
    };
    socket.onclose = (e) => finish("ended", endReason || e.reason || (e.code === 1006 ? "The listen connection was refused or dropped." : "Listening ended."));
    return {
        stop: () => {
            if (socket.readyState <= WebSocket.OPEN) socket.close(1000, "stopped");
            finish("ended", "Stopped listening.");
        },
    };
}
