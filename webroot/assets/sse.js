// A Server-Sent Events parser (the "text/event-stream" interpretation rules of the HTML standard),
// for a stream read with fetch(): EventSource cannot send an Authorization header.

export class SseParser {
  /**
   * onEvent({type, data, id}) for each dispatched event; onRetry(ms) for a "retry:" field.
   * lastEventId survives events (an event without "id:" keeps the previous one), as in the standard.
   */
  constructor(onEvent, onRetry) {
    this.onEvent = onEvent;
    this.onRetry = onRetry || (() => {});
    this.lastEventId = '';
    this.reset();
    this.pending = '';
    this.afterCr = false;
    this.first = true;
  }

  reset() {
    this.data = '';
    this.type = '';
    this.idSet = false;
  }

  /** Feeds decoded text; lines end in CRLF, LF or CR, and may be split anywhere across chunks. */
  push(text) {
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.afterCr) {
        this.afterCr = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (c === 10 || c === 13) {
        const line = this.pending + text.slice(start, i);
        this.pending = '';
        start = i + 1;
        if (c === 13) this.afterCr = true;
        this.line(line);
      }
    }
    this.pending += text.slice(start);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment (the hub's keep-alive ": ping")
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case 'event': this.type = value; break;
      case 'data': this.data += value + '\n'; break;
      case 'id': if (!value.includes('\0')) this.lastEventId = value; break;
      case 'retry': if (/^[0-9]+$/.test(value)) this.onRetry(Number(value)); break;
      default: break; // unknown fields are ignored
    }
  }

  dispatch() {
    if (this.data === '') {
      this.reset();
      return;
    }
    const event = { type: this.type || 'message', data: this.data.slice(0, -1), id: this.lastEventId };
    this.reset();
    this.onEvent(event);
  }
}
