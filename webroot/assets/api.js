// The hub's HTTP API as the page uses it: the key goes in the Authorization header, never a URL.

/** A non-2xx answer; `problem` is the RFC 9457 body when the hub sent one. */
export class ApiError extends Error {
  constructor(status, problem, path) {
    const detail = problem && (problem.detail || problem.title);
    super(detail ? `${detail} (${status}${problem.code ? ' ' + problem.code : ''})` : `HTTP ${status} on ${path}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code;
  }
}

export class Api {
  /** onUnauthorized(): the key stopped working (revoked, or the hub lost it). */
  constructor(key, onUnauthorized) {
    this.key = key;
    this.onUnauthorized = onUnauthorized || (() => {});
  }

  headers(extra) {
    return Object.assign({ Authorization: `Bearer ${this.key}`, Accept: 'application/json' }, extra);
  }

  async request(method, path, body) {
    const init = { method, headers: this.headers(), cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 401) this.onUnauthorized();
    const text = await res.text();
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (!res.ok) throw new ApiError(res.status, json, path);
    return json;
  }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body === undefined ? {} : body); }
  del(path) { return this.request('DELETE', path); }

  /** GET that answers null for 404 (an optional route this hub may not have, or a gone item). */
  async optional(path) {
    try {
      return await this.get(path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** Every page of a keyset-paginated list ({items, nextCursor}), up to maxItems. */
  async all(path, maxItems = 2000) {
    const items = [];
    let cursor = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.get(`${path}${sep}limit=200${cursor ? '&after=' + encodeURIComponent(cursor) : ''}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor;
    } while (cursor && items.length < maxItems);
    return { items, more: Boolean(cursor) };
  }
}

/** Runs tasks with at most `limit` in flight (status of many instances without a burst). */
export async function mapLimit(values, limit, fn) {
  const out = new Array(values.length);
  let next = 0;
  async function worker() {
    while (next < values.length) {
      const i = next++;
      try { out[i] = await fn(values[i]); } catch (e) { out[i] = e; }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, values.length) }, worker));
  return out;
}

export const p = encodeURIComponent;
