// The live stream: GET /events read with fetch() and a streaming reader (EventSource cannot send the
// Authorization header), reconnecting with Last-Event-ID and a growing, jittered back-off.
import { SseParser } from './sse.js';

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
/** The hub sends ": ping" every 15 s; nothing at all for this long means the connection is dead. */
const SILENCE_MS = 45000;
/** A hub without /events (404): ask again now and then, in case it is upgraded in place. */
const ABSENT_DELAY_MS = 60000;

/**
 * States reported to onState: 'connecting', 'live', 'down' (will retry), 'absent' (this hub has no
 * /events), 'unauthorized' (the key was refused: stops).
 */
export class EventStream {
  constructor({ url = '/events', key, onEvent, onState }) {
    this.url = url;
    this.key = key;
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.lastEventId = '';
    this.stopped = true;
    this.failures = 0;
    this.serverRetryMs = null;
    this.controller = null;
    this.wakeTimer = null;
    this.wake = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
    if (this.wake) this.wake();
  }

  /** Skips the current back-off wait (the page became visible again, the network came back). */
  retryNow() {
    if (this.wake) this.wake();
  }

  async loop() {
    while (!this.stopped) {
      let delay;
      try {
        const outcome = await this.connectOnce();
        if (outcome === 'unauthorized') {
          this.onState('unauthorized');
          this.stopped = true;
          return;
        }
        delay = outcome === 'absent' ? ABSENT_DELAY_MS : this.backoff();
      } catch (e) {
        if (this.stopped) return;
        this.onState('down', e);
        delay = this.backoff();
      }
      if (this.stopped) return;
      await this.sleep(delay);
    }
  }

  backoff() {
    this.failures++;
    if (this.serverRetryMs !== null && this.failures === 1) return this.serverRetryMs;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.min(this.failures - 1, 10));
    return Math.round(base / 2 + Math.random() * base / 2);
  }

  sleep(ms) {
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(this.wakeTimer);
        this.wake = null;
        resolve();
      };
      this.wake = done;
      this.wakeTimer = setTimeout(done, ms);
    });
  }

  async connectOnce() {
    this.onState('connecting');
    const controller = new AbortController();
    this.controller = controller;
    const headers = { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' };
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    const res = await fetch(this.url, {
      headers, signal: controller.signal, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
    });
    if (res.status === 401) return 'unauthorized';
    if (res.status === 404 || res.status === 405 || res.status === 501) {
      this.onState('absent');
      return 'absent';
    }
    const type = res.headers.get('Content-Type') || '';
    if (!res.ok || !type.startsWith('text/event-stream') || !res.body) {
      throw new Error(`GET ${this.url} answered ${res.status} ${type}`);
    }
    this.failures = 0;
    this.onState('live');
    const parser = new SseParser(ev => {
      this.lastEventId = parser.lastEventId;
      this.onEvent(ev);
    }, ms => { this.serverRetryMs = ms; });
    parser.lastEventId = this.lastEventId;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let silence = setTimeout(() => controller.abort(), SILENCE_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        clearTimeout(silence);
        if (done) break;
        silence = setTimeout(() => controller.abort(), SILENCE_MS);
        parser.push(value);
      }
    } finally {
      clearTimeout(silence);
    }
    // the server closed the stream: reconnect (with the last id, so nothing is missed)
    throw new Error('the event stream ended');
  }
}
