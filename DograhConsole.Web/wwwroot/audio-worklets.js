// The console's audio worklets: capture (microphone to 16 kHz 20 ms PCM16 frames) and playback (PCM16 frames through
// a jitter buffer to the speakers). Loaded with audioWorklet.addModule by webcall.js.

const WIRE_RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz

// Peak-free level of a block as dBFS, for the meters.
function dbfs(sumSquares, count) {
    if (count === 0 || sumSquares === 0) return -100;
    return 10 * Math.log10(sumSquares / count);
}

class CaptureProcessor extends AudioWorkletProcessor {
    constructor() {
        super();
        this.step = sampleRate / WIRE_RATE; // input samples per output sample
        this.position = 0;                  // fractional read position into the pending input
        this.pending = new Float32Array(0);
        this.frame = new Int16Array(FRAME);
        this.filled = 0;
        this.muted = false;
        this.levelSum = 0;
        this.levelCount = 0;
        this.port.onmessage = (e) => { if (typeof e.data.muted === "boolean") this.muted = e.data.muted; };
    }

    process(inputs) {
        const channel = inputs[0] && inputs[0][0];
        if (!channel) return true;
        // Resampled here when the AudioContext could not run at 16 kHz: each output sample averages the input
        // samples it spans (a box filter against aliasing), good enough for speech.
        const input = this.pending.length ? concat(this.pending, channel) : channel;
        let position = this.position;
        while (position + this.step <= input.length) {
            let value;
            if (this.step === 1) {
                value = input[position];
            } else {
                const start = Math.floor(position), end = Math.floor(position + this.step);
                let sum = 0;
                for (let i = start; i < end; i++) sum += input[i];
                value = sum / Math.max(1, end - start);
            }
            position += this.step;
            const sample = this.muted ? 0 : Math.max(-1, Math.min(1, value));
            this.levelSum += sample * sample;
            this.levelCount++;
            this.frame[this.filled++] = sample < 0 ? sample * 0x8000 : sample * 0x7fff;
            if (this.filled === FRAME) {
                const out = this.frame;
                this.port.postMessage({ frame: out.buffer, level: dbfs(this.levelSum, this.levelCount) }, [out.buffer]);
                this.frame = new Int16Array(FRAME);
                this.filled = 0;
                this.levelSum = 0;
                this.levelCount = 0;
            }
        }
        const consumed = Math.floor(position);
        this.pending = input.slice(consumed);
        this.position = position - consumed;
        return true;
    }
}

function concat(a, b) {
    const out = new Float32Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
}

class PlaybackProcessor extends AudioWorkletProcessor {
    constructor(options) {
        super();
        const settings = (options && options.processorOptions) || {};
        this.wireRate = settings.sampleRate || WIRE_RATE;
        // Start (and restart after running dry) only with this much queued: absorbs the network's jitter.
        this.prebuffer = Math.round(this.wireRate * (settings.prebufferMs || 60) / 1000);
        // Never more than this queued: beyond it the oldest audio goes, so the delay stays bounded.
        this.maximum = Math.round(this.wireRate * (settings.maximumMs || 240) / 1000);
        this.queue = [];
        this.queued = 0;
        this.offset = 0;     // read position in queue[0]
        this.phase = 0;      // fractional position between wire samples (resampling to the context rate)
        this.playing = false;
        this.levelSum = 0;
        this.levelCount = 0;
        this.blocks = 0;
        this.underruns = 0;
        this.port.onmessage = (e) => {
            if (e.data === "clear") {
                this.queue = [];
                this.queued = 0;
                this.offset = 0;
                this.playing = false;
                return;
            }
            const samples = new Int16Array(e.data);
            this.queue.push(samples);
            this.queued += samples.length;
            while (this.queued - this.offset > this.maximum && this.queue.length > 1) {
                const dropped = this.queue.shift();
                this.queued -= dropped.length;
                this.offset = 0;
            }
        };
    }

    next() {
        while (this.queue.length && this.offset >= this.queue[0].length) {
            this.queued -= this.queue[0].length;
            this.queue.shift();
            this.offset = 0;
        }
        if (!this.queue.length) return null;
        const value = this.queue[0][this.offset++];
        return value / 0x8000;
    }

    process(_, outputs) {
        const out = outputs[0][0];
        if (!this.playing && this.queued - this.offset >= this.prebuffer) this.playing = true;
        const step = this.wireRate / sampleRate;
        let current = this.current || 0;
        for (let i = 0; i < out.length; i++) {
            if (!this.playing) {
                out[i] = 0;
                continue;
            }
            this.phase += step;
            while (this.phase >= 1) {
                this.phase -= 1;
                const value = this.next();
                if (value === null) {
                    this.playing = false;
                    this.underruns++;
                    current = 0;
                    break;
                }
                current = value;
            }
            out[i] = current;
            this.levelSum += current * current;
            this.levelCount++;
        }
        this.current = current;
        for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
        if (++this.blocks % 16 === 0) {
            this.port.postMessage({ level: dbfs(this.levelSum, this.levelCount), buffered: this.queued - this.offset, underruns: this.underruns });
            this.levelSum = 0;
            this.levelCount = 0;
        }
        return true;
    }
}

registerProcessor("dograh-capture", CaptureProcessor);
registerProcessor("dograh-playback", PlaybackProcessor);
