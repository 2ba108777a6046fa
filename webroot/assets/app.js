// wa-hub dashboard: instances, dead letters, messages, webhooks and health, kept current by the
// hub's event stream. Every server value reaches the page through textContent (see dom.js).
import { Api, ApiError, mapLimit, p } from './api.js';
import { EventStream } from './events.js';
import { h, $, fill, setText, relative, time } from './dom.js';
import { qrFigure } from './qr.js';

const KEY_STORAGE = 'wahub.key';
/** While the event stream is down or absent: how often everything is read again. */
const FALLBACK_REFRESH_MS = 5000;
/** A QR code rotates without an event: how often a shown one is read again. */
const QR_REFRESH_MS = 20000;
/** Events are applied in small batches, so a burst of sends costs one read per row, not one per event. */
const EVENT_FLUSH_MS = 250;
const MAX_RECENT = 50;
/** Per batch of events: instances read at most (the rest wait for the next batch). */
const MAX_INSTANCES_PER_FLUSH = 50;
/** Per batch: messages not yet on the page that are read (a busy hub sends hundreds a second). */
const MAX_NEW_MESSAGES_PER_FLUSH = 10;
const DEAD_PAGE = 100;
const STATUSES_RETRYABLE = ['failed', 'in_doubt'];
const TERMINAL = ['sent', 'delivered', 'read', 'failed', 'cancelled', 'expired', 'in_doubt'];

const WAITING = {
  nothing: 'nothing to send',
  next_due: 'the next message to become due',
  rate_limit: 'the rate limit (rolling windows)',
  pacing: 'pacing between sends',
  circuit_open: 'the provider circuit breaker',
  provider_rate_limit: "the provider's rate limit",
  send_in_flight: 'a send in flight',
  database: 'the database',
};
const LIMIT_LABELS = { perMinute: 'Per minute', perHour: 'Per hour', perDay: 'Per day' };

const app = {
  api: null,
  role: null,
  instances: new Map(), // id -> {info, status, card, qrValue}
  dead: { status: 'failed', instance: '', lists: { failed: new Map(), in_doubt: new Map() }, more: { failed: null, in_doubt: null } },
  recent: new Map(), // id -> {msg, row}
  detailId: null,
  stream: null,
  streamState: 'connecting',
  everLive: false,
  fallbackTimer: null,
  qrTimer: null,
  pending: { instances: new Set(), messages: new Map(), webhooks: false, timer: null },
  healthAt: 0,
  webhooksAvailable: true,
};

// ---------------------------------------------------------------- session

function boot() {
  $('#login-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const key = $('#key').value.trim();
    $('#key').value = '';
    login(key);
  });
  $('#logout').addEventListener('click', () => logout(''));
  $('#refresh').addEventListener('click', () => loadAll());
  $('#retry-all').addEventListener('click', retryAll);
  $('#dead-instance').addEventListener('change', ev => {
    app.dead.instance = ev.target.value;
    loadDead();
  });
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => showTab(tab.dataset.status));
  }
  $('#dead-more').addEventListener('click', () => loadDead(true));
  $('#lookup-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const id = $('#lookup').value.trim();
    if (id) lookup(id);
  });
  $('#detail-close').addEventListener('click', () => $('#detail').close());
  $('#detail').addEventListener('close', () => { app.detailId = null; });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && app.api) {
      if (app.stream) app.stream.retryNow();
      if (app.streamState !== 'live') loadAll();
    }
  });
  setInterval(tickRelative, 5000);

  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) login(key);
  else showLogin('');
}

async function login(key) {
  const error = $('#login-error');
  setText(error, '');
  if (!key) {
    showLogin('Paste an API key.');
    return;
  }
  const api = new Api(key, () => logout('The hub no longer accepts this key (revoked?). Log in again.'));
  let role;
  try {
    await api.get('/instances?limit=1');
    role = 'tenant';
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) {
      try {
        await api.get('/tenants?limit=1');
        role = 'admin';
      } catch (e2) {
        showLogin(message(e2));
        return;
      }
    } else {
      showLogin(e instanceof ApiError && e.status === 401 ? 'The hub does not accept this key.' : message(e));
      return;
    }
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  app.api = api;
  app.role = role;
  showApp();
  await loadAll();
  if (role === 'tenant') startStream(key);
}

function logout(reason) {
  sessionStorage.removeItem(KEY_STORAGE);
  if (app.stream) app.stream.stop();
  app.stream = null;
  stopFallback();
  clearTimeout(app.qrTimer);
  app.api = null;
  app.role = null;
  app.instances.clear();
  app.recent.clear();
  app.dead.lists.failed.clear();
  app.dead.lists.in_doubt.clear();
  for (const id of ['#instances', '#dead', '#recent', '#webhooks', '#tenants', '#health-checks']) $(id).replaceChildren();
  if ($('#detail').open) $('#detail').close();
  showLogin(reason);
}

function showLogin(reason) {
  $('#session').hidden = true;
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'login';
  setText($('#login-error'), reason);
  $('#key').focus();
}

function showApp() {
  $('#login').hidden = true;
  $('#session').hidden = false;
  setText($('#who'), app.role === 'admin' ? 'admin key' : 'tenant key');
  $('#health-panel').hidden = false;
  $('#tenants-panel').hidden = app.role !== 'admin';
  for (const id of ['#instances-panel', '#dead-panel', '#messages-panel']) $(id).hidden = app.role !== 'tenant';
  $('#webhooks-panel').hidden = true;
  if (app.role === 'admin') setLive('admin');
}

// ---------------------------------------------------------------- feedback

function message(e) {
  return e instanceof Error ? e.message : String(e);
}

let announceTimer = null;
/** Tells screen readers (aria-live) and shows a short line for a few seconds. */
function announce(text) {
  const a = $('#announcer');
  a.appendChild(h('p', { text }));
  while (a.childNodes.length > 5) a.removeChild(a.firstChild);
  const t = $('#toast');
  setText(t, text);
  t.hidden = false;
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => { t.hidden = true; }, 6000);
}

async function act(label, fn) {
  try {
    const r = await fn();
    return r;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) announce(`${label} failed: ${message(e)}`);
    return undefined;
  }
}

// ---------------------------------------------------------------- loading

async function loadAll() {
  if (!app.api) return;
  if (app.role === 'admin') {
    await Promise.allSettled([loadHealth(), loadTenants()]);
    return;
  }
  await Promise.allSettled([loadHealth(), loadInstances(), loadDead(), loadWebhooks(), refreshRecent()]);
}

async function loadHealth() {
  app.healthAt = Date.now();
  const pill = $('#health');
  let health;
  try {
    health = await app.api.optional('/health');
  } catch (e) {
    health = { status: 'unavailable', error: message(e) };
  }
  const status = health ? String(health.status || 'unknown') : 'unavailable';
  pill.dataset.status = status;
  setText(pill, `Health: ${status}`);
  const list = $('#health-checks');
  const rows = [];
  if (!health) {
    setText($('#health-summary'), 'This hub does not report detailed health (no GET /health).');
  } else if (health.error) {
    setText($('#health-summary'), `Health could not be read: ${health.error}`);
  } else {
    setText($('#health-summary'), health.checkedAt ? `Checked ${relative(health.checkedAt)}.` : '');
    for (const c of health.checks || []) {
      rows.push(h('li', { class: 'check', dataset: { status: String(c.status) } },
        h('span', { class: 'pill', dataset: { status: String(c.status) }, text: String(c.status) }), ' ',
        h('strong', { text: String(c.name) }), ` ${c.value ?? ''}${c.threshold !== undefined ? ' / ' + c.threshold : ''}`,
        c.message ? h('span', { class: 'muted', text: ` — ${c.message}` }) : null));
    }
  }
  list.replaceChildren(...rows);
}

async function loadTenants() {
  const { items } = await app.api.all('/tenants');
  $('#tenants').replaceChildren(...items.map(t => h('tr', null,
    h('td', { class: 'mono', text: t.id }), h('td', { text: t.name }), h('td', null, time(t.createdAt)))));
}

async function loadInstances() {
  const { items } = await app.api.all('/instances');
  const seen = new Set();
  for (const info of items) {
    seen.add(info.id);
    const entry = ensureInstance(info.id);
    entry.info = info;
  }
  for (const id of [...app.instances.keys()]) {
    if (!seen.has(id)) removeInstance(id);
  }
  $('#instances-empty').hidden = items.length > 0;
  syncInstanceFilter();
  await mapLimit(items.map(i => i.id), 4, id => refreshInstance(id, false));
}

function ensureInstance(id) {
  let entry = app.instances.get(id);
  if (!entry) {
    entry = { info: { id }, status: null, card: buildCard(id), qrValue: null, running: true };
    app.instances.set(id, entry);
    const grid = $('#instances');
    const after = [...grid.children].find(c => c.dataset.id > id);
    grid.insertBefore(entry.card.root, after || null);
  }
  return entry;
}

function removeInstance(id) {
  const entry = app.instances.get(id);
  if (!entry) return;
  entry.card.root.remove();
  app.instances.delete(id);
  syncInstanceFilter();
}

function syncInstanceFilter() {
  const select = $('#dead-instance');
  const wanted = [...app.instances.keys()].sort();
  const have = [...select.options].slice(1).map(o => o.value);
  if (wanted.join('\n') === have.join('\n')) return;
  const current = select.value;
  select.replaceChildren(h('option', { value: '', text: 'All instances' }),
    ...wanted.map(id => h('option', { value: id, text: id })));
  select.value = wanted.includes(current) ? current : '';
  if (select.value !== current) {
    app.dead.instance = '';
    loadDead();
  }
}

/** Reads one instance's live status (and its stored row when its actor is not running). */
async function refreshInstance(id, withInfo = true) {
  const entry = app.instances.get(id) || (withInfo ? ensureInstance(id) : null);
  if (!entry) return;
  try {
    if (withInfo) entry.info = await app.api.get(`/instances/${p(id)}`);
    entry.status = await app.api.get(`/instances/${p(id)}/status`);
    entry.running = true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      removeInstance(id);
      return;
    }
    entry.running = false;
    entry.status = null;
    entry.statusError = e instanceof ApiError && e.status === 503 ? 'not running yet' : message(e);
  }
  const before = entry.lastState;
  updateCard(entry);
  const state = currentState(entry);
  if (before && state && before !== state) announce(`Instance ${id} is now ${state}.`);
  entry.lastState = state;
  await updateQr(entry);
}

function currentState(entry) {
  return (entry.status && entry.status.state) || entry.info.state || null;
}

// ---------------------------------------------------------------- instance cards

function buildCard(id) {
  const titleId = `inst-${cssId(id)}-title`;
  const c = {};
  c.title = h('h3', { id: titleId });
  c.state = h('span', { class: 'state' });
  c.meta = h('p', { class: 'meta muted' });
  c.stats = h('dl', { class: 'stats' });
  c.limits = h('div', { class: 'limits' });
  c.wait = h('p', { class: 'wait' });
  c.ladder = h('p', { class: 'ladder' });
  c.error = h('p', { class: 'error' });
  c.qr = h('div', { class: 'qr-slot' });
  const op = (label, fn) => h('button', { type: 'button', class: 'secondary', onclick: fn, text: label });
  c.soft = op('Soft restart', () => operate(id, 'restart', { type: 'soft' }, 'Soft restart'));
  c.hard = op('Hard restart', () => operate(id, 'restart', { type: 'hard' }, 'Hard restart'));
  c.stop = op('Stop', () => operate(id, 'stop', undefined, 'Stop'));
  c.start = op('Start', () => operate(id, 'start', undefined, 'Start'));
  c.actions = h('div', { class: 'actions', role: 'group', 'aria-label': `Operations on ${id}` }, c.soft, c.hard, c.stop, c.start);
  c.root = h('article', { class: 'card instance', dataset: { id }, 'aria-labelledby': titleId },
    h('header', { class: 'card-head' }, c.title, c.state), c.meta, c.stats, c.limits, c.wait, c.ladder, c.error, c.qr, c.actions);
  return c;
}

function cssId(id) {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

function updateCard(entry) {
  const { info, status, card } = entry;
  const id = info.id;
  setText(card.title, info.name ? `${info.name}` : id);
  const state = currentState(entry) || 'UNKNOWN';
  setText(card.state, state);
  card.state.dataset.state = state;
  card.root.dataset.state = state;
  const since = (status && status.stateSince) || info.stateSince;
  fill(card.meta, 
    h('span', { class: 'mono', text: id }),
    info.provider && info.provider.type ? ` · ${info.provider.type}` : '',
    since ? ' · since ' : '', since ? h('span', { dataset: { rel: since }, text: relative(since) }) : '',
    entry.running ? '' : ` · ${entry.statusError || 'not running'}`);

  const q = status ? status.queue || {} : { depth: info.queueDepth };
  const counters = (status && status.counters) || {};
  // each term and value in a div (allowed inside <dl>), so the pairs flow as grid cells
  const stat = (name, label, value, extra) => h('div', { dataset: { stat: name } }, h('dt', { text: label }),
    h('dd', null, value === undefined || value === null ? '—' : value, extra || ''));
  fill(card.stats, 
    stat('queue', 'Queue', q.depth, info.maxQueueSize ? ` / ${info.maxQueueSize}` : ''),
    stat('sent1h', 'Sent 1 h', counters.sent1h),
    stat('sent24h', 'Sent 24 h', counters.sent24h),
    stat('failures1h', 'Failures 1 h', counters.failures1h),
    stat('disconnects1h', 'Disconnects 1 h', counters.disconnects1h),
    q.oldestQueuedAt ? stat('oldest', 'Oldest queued', h('span', { dataset: { rel: q.oldestQueuedAt }, text: relative(q.oldestQueuedAt) })) : null);

  const limits = status ? status.limits || {} : {};
  const bars = [];
  for (const name of Object.keys(LIMIT_LABELS)) {
    const l = limits[name];
    if (!l || !l.limit) continue;
    const label = `${LIMIT_LABELS[name]}: ${l.used} of ${l.limit}`;
    bars.push(h('div', { class: 'limit' },
      h('span', { class: 'limit-label', text: LIMIT_LABELS[name] }),
      h('meter', { min: 0, max: l.limit, value: l.used, low: Math.ceil(l.limit * 0.6), high: Math.ceil(l.limit * 0.9), optimum: 0, 'aria-label': label, title: label }),
      h('span', { class: 'limit-value', text: `${l.used} / ${l.limit}` })));
  }
  card.limits.replaceChildren(...bars);

  if (status) {
    const waiting = String(status.waitingFor || 'nothing');
    const waitText = waiting.startsWith('state_') ? `the instance to be READY (now ${waiting.slice(6)})` : (WAITING[waiting] || waiting);
    const next = limits.nextAllowedSendAt;
    fill(card.wait, 'Next allowed send: ',
      next ? h('span', { dataset: { rel: next, future: '1' }, title: next, text: untilNow(next) }) : 'now',
      ' · waiting for ', h('span', { class: 'waiting', dataset: { waiting }, text: waitText }));
    const r = status.reconnect || {};
    fill(card.ladder, 'Reconnect ladder: attempt ', String(r.attempt ?? 0),
      r.nextAttemptAt ? [' · next try ', h('span', { dataset: { rel: r.nextAttemptAt }, text: relative(r.nextAttemptAt) })] : '',
      ` · restarts ${r.restartsInWindow ?? 0} of ${r.maxRestartsPerWindow ?? '?'} in window`,
      r.restartRunning ? ' · restart running' : '',
      ` · circuit ${status.circuitBreaker || '?'}`);
  } else {
    card.wait.replaceChildren();
    card.ladder.replaceChildren();
  }
  const err = (status && status.lastError) || info.lastError;
  setText(card.error, err ? `Last error: ${typeof err === 'string' ? err : JSON.stringify(err)}` : '');
  card.error.hidden = !err;

  const stopped = state === 'STOPPED' || info.desiredState === 'stopped' || info.desiredState === 'STOPPED';
  card.stop.disabled = stopped || !entry.running;
  card.start.disabled = !stopped || !entry.running;
  card.soft.disabled = stopped || !entry.running;
  card.hard.disabled = stopped || !entry.running;
}

async function updateQr(entry) {
  const state = currentState(entry);
  if (state !== 'NEEDS_QR' || !entry.running) {
    entry.qrValue = null;
    entry.card.qr.replaceChildren();
    scheduleQrRefresh();
    return;
  }
  let value = null;
  try {
    const res = await app.api.get(`/instances/${p(entry.info.id)}/qr`);
    value = res && res.qr ? String(res.qr) : null;
  } catch (e) {
    value = null;
  }
  if (value === entry.qrValue) {
    scheduleQrRefresh();
    return;
  }
  entry.qrValue = value;
  entry.card.qr.replaceChildren(value
    ? qrFigure(value, `QR code to pair ${entry.info.id}`)
    : h('p', { class: 'muted', text: 'Waiting for a QR code from the provider…' }));
  scheduleQrRefresh();
}

function scheduleQrRefresh() {
  clearTimeout(app.qrTimer);
  const showing = [...app.instances.values()].filter(e => currentState(e) === 'NEEDS_QR');
  if (showing.length === 0 || !app.api) return;
  app.qrTimer = setTimeout(() => {
    for (const e of showing) updateQr(e);
  }, QR_REFRESH_MS);
}

async function operate(id, op, body, label) {
  const res = await act(`${label} of ${id}`, () => app.api.post(`/instances/${p(id)}/${op}`, body));
  if (res !== undefined) announce(`${label} of ${id}: ${res && res.state ? res.state : 'done'}.`);
  await refreshInstance(id);
}

// ---------------------------------------------------------------- dead letters

function showTab(status) {
  app.dead.status = status;
  for (const tab of document.querySelectorAll('.tab')) tab.setAttribute('aria-pressed', String(tab.dataset.status === status));
  renderDead();
}

async function loadDead(more = false) {
  const instance = app.dead.instance;
  await Promise.allSettled(STATUSES_RETRYABLE.map(async status => {
    if (more && status !== app.dead.status) return;
    const cursor = more ? app.dead.more[status] : null;
    const q = `/messages?status=${status}&limit=${DEAD_PAGE}${instance ? '&instance=' + p(instance) : ''}${cursor ? '&after=' + p(cursor) : ''}`;
    const page = await app.api.get(q);
    if (instance !== app.dead.instance) return; // the filter changed meanwhile
    const list = app.dead.lists[status];
    if (!more) {
      const keep = new Set((page.items || []).map(m => m.id));
      for (const id of [...list.keys()]) if (!keep.has(id)) list.delete(id);
    }
    for (const m of page.items || []) list.set(m.id, m);
    app.dead.more[status] = page.nextCursor || null;
  }));
  renderDead();
}

function renderDead() {
  const status = app.dead.status;
  const list = app.dead.lists[status];
  for (const s of STATUSES_RETRYABLE) {
    setText($(`#count-${s}`), `${app.dead.lists[s].size}${app.dead.more[s] ? '+' : ''}`);
  }
  const rows = [...list.values()].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  const body = $('#dead');
  const existing = new Map([...body.children].map(r => [r.dataset.id, r]));
  const ordered = rows.map(m => {
    const row = existing.get(m.id) || h('tr', { dataset: { id: m.id } });
    fillDeadRow(row, m);
    existing.delete(m.id);
    return row;
  });
  for (const r of existing.values()) r.remove();
  ordered.forEach((row, i) => {
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] || null);
  });
  $('#dead-empty').hidden = rows.length > 0;
  $('#dead-table').hidden = rows.length === 0;
  $('#dead-more').hidden = !app.dead.more[status];
  $('#retry-all').disabled = rows.length === 0;
  setText($('#retry-all'), status === 'failed' ? 'Retry all failed' : 'Retry all in doubt');
  setText($('#dead-help'), status === 'in_doubt'
    ? 'In doubt: the hub cannot know whether WhatsApp got these (a crash or timeout after hand-off). Retry may send twice; cancel if the recipient has it.'
    : 'Failed: a permanent error or the attempts ran out. Retry queues a message again with a fresh attempt budget.');
}

function fillDeadRow(row, m) {
  const sig = JSON.stringify([m.status, m.attempts, m.lastError, m.updatedAt]);
  if (row.dataset.sig === sig) return;
  row.dataset.sig = sig;
  row.dataset.status = m.status;
  const err = m.lastError ? `${m.lastError.code || ''}${m.lastError.message ? ': ' + m.lastError.message : ''}` : '';
  const actions = messageActions(m);
  row.replaceChildren(
    h('td', { 'data-label': 'Created' }, time(m.createdAt)),
    h('td', { 'data-label': 'Instance', class: 'mono', text: m.instanceId }),
    h('td', { 'data-label': 'To', class: 'mono', text: m.to }),
    h('td', { 'data-label': 'Kind', text: m.kind }),
    h('td', { 'data-label': 'Attempts', text: String(m.attempts ?? '') }),
    h('td', { 'data-label': 'Last error', class: 'wrap', text: err }),
    h('td', { class: 'row-actions' }, actions));
}

/** Details / Retry / Cancel / Delete buttons for a message, each only where its status allows it. */
function messageActions(m) {
  const short = shortId(m.id);
  const btn = (label, action, fn, cls) => h('button', {
    type: 'button', class: cls || 'secondary', dataset: { action }, 'aria-label': `${label} message ${short}`, onclick: fn, text: label,
  });
  const out = [btn('Details', 'details', () => openDetail(m.id))];
  if (STATUSES_RETRYABLE.includes(m.status)) out.push(btn('Retry', 'retry', () => retryMessage(m.id), 'primary'));
  if (['queued', 'failed', 'in_doubt'].includes(m.status)) out.push(btn('Cancel', 'cancel', () => cancelMessage(m.id)));
  if (TERMINAL.includes(m.status) || m.status === 'cancelled') out.push(btn('Delete', 'delete', () => deleteMessage(m.id)));
  return out;
}

function shortId(id) {
  return String(id).slice(-8);
}

async function retryMessage(id) {
  const res = await act('Retry', () => app.api.post(`/messages/${p(id)}/retry`, {}));
  if (res !== undefined) announce(`Message ${shortId(id)} queued again.`);
  await refreshMessage(id, true);
}

async function cancelMessage(id) {
  const res = await act('Cancel', () => app.api.post(`/messages/${p(id)}/cancel`, {}));
  if (res !== undefined) announce(`Message ${shortId(id)} cancelled.`);
  await refreshMessage(id, true);
}

async function deleteMessage(id) {
  if (!window.confirm(`Delete message ${id}? Its idempotency key is freed.`)) return;
  const res = await act('Delete', () => app.api.del(`/messages/${p(id)}`));
  if (res !== undefined) announce(`Message ${shortId(id)} deleted.`);
  await refreshMessage(id);
}

async function retryAll() {
  const status = app.dead.status;
  const targets = app.dead.instance ? [app.dead.instance]
    : [...new Set([...app.dead.lists[status].values()].map(m => m.instanceId))].sort();
  if (targets.length === 0) return;
  const what = status === 'failed' ? 'failed' : 'in-doubt';
  if (!window.confirm(`Queue all ${what} messages of ${targets.join(', ')} again?`)) return;
  let retried = 0;
  let remaining = 0;
  for (const instance of targets) {
    const res = await act(`Retry all of ${instance}`, () => app.api.post('/messages/retry', { instance, status }));
    if (res) {
      retried += res.retried || 0;
      remaining += res.remaining || 0;
    }
  }
  announce(`Queued ${retried} ${what} message(s) again${remaining ? `; ${remaining} left (queue full or over the limit)` : ''}.`);
  await loadDead();
  for (const instance of targets) scheduleInstance(instance);
}

// ---------------------------------------------------------------- messages

async function lookup(id) {
  const m = await act('Look-up', () => app.api.get(`/messages/${p(id)}`));
  if (m) {
    upsertMessage(m, true);
    $('#lookup').value = '';
  }
}

/** Reads a message again and puts it wherever it belongs (or removes it when it is gone). */
async function refreshMessage(id, track = false) {
  if (!app.api) return;
  let m;
  try {
    m = await app.api.get(`/messages/${p(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      forgetMessage(id);
    }
    return;
  }
  upsertMessage(m, track);
}

function upsertMessage(m, track) {
  const previous = app.recent.get(m.id);
  if (previous && previous.msg.status !== m.status && ['sent', 'failed', 'in_doubt', 'delivered', 'read'].includes(m.status)) {
    announce(`Message ${shortId(m.id)} is ${m.status}.`);
  }
  // dead-letter lists
  for (const s of STATUSES_RETRYABLE) {
    const list = app.dead.lists[s];
    if (m.status === s && (!app.dead.instance || app.dead.instance === m.instanceId)) list.set(m.id, m);
    else list.delete(m.id);
  }
  renderDead();
  if (track || previous) trackRecent(m);
  if (app.detailId === m.id) renderDetail(m);
}

function forgetMessage(id) {
  for (const s of STATUSES_RETRYABLE) app.dead.lists[s].delete(id);
  renderDead();
  const r = app.recent.get(id);
  if (r) {
    r.row.remove();
    app.recent.delete(id);
  }
  if (app.detailId === id) {
    $('#detail').close();
  }
}

function trackRecent(m) {
  let r = app.recent.get(m.id);
  if (!r) {
    r = { msg: m, row: h('tr', { dataset: { id: m.id } }) };
    app.recent.set(m.id, r);
    $('#recent').prepend(r.row);
    while (app.recent.size > MAX_RECENT) {
      const oldest = app.recent.keys().next().value;
      app.recent.get(oldest).row.remove();
      app.recent.delete(oldest);
    }
  }
  r.msg = m;
  r.row.dataset.status = m.status;
  r.row.replaceChildren(
    h('td', { 'data-label': 'Message', class: 'mono', title: m.id, text: m.id }),
    h('td', { 'data-label': 'Instance', class: 'mono', text: m.instanceId }),
    h('td', { 'data-label': 'To', class: 'mono', text: m.to }),
    h('td', { 'data-label': 'Status' }, h('span', { class: 'status', dataset: { status: m.status }, text: m.status })),
    h('td', { 'data-label': 'Updated' }, h('span', { dataset: { rel: m.updatedAt || m.createdAt }, text: relative(m.updatedAt || m.createdAt) })),
    h('td', { class: 'row-actions' }, messageActions(m)));
}

/** Reads the messages followed here again that can still change (the fallback while the stream is down). */
async function refreshRecent() {
  const open = [...app.recent.values()].filter(r => !['cancelled', 'expired'].includes(r.msg.status)).map(r => r.msg.id);
  await mapLimit(open, 4, id => refreshMessage(id));
}

// ---------------------------------------------------------------- message detail

async function openDetail(id) {
  const m = await act('Details', () => app.api.get(`/messages/${p(id)}`));
  if (!m) return;
  app.detailId = id;
  renderDetail(m);
  const dialog = $('#detail');
  if (!dialog.open) dialog.showModal();
}

function renderDetail(m) {
  setText($('#detail-title'), `Message ${m.id}`);
  const field = (label, value) => [h('dt', { text: label }), h('dd', null, value === null || value === undefined || value === '' ? '—' : value)];
  const err = m.lastError ? `${m.lastError.code || ''}${m.lastError.message ? ': ' + m.lastError.message : ''}` : null;
  const info = h('dl', { class: 'fields' },
    ...field('Status', h('span', { class: 'status', dataset: { status: m.status }, text: m.status })),
    ...field('Instance', m.instanceId), ...field('To', m.to), ...field('Kind', m.kind),
    ...field('Attempts', String(m.attempts ?? '')), ...field('Next attempt', m.nextAttemptAt ? time(m.nextAttemptAt) : null),
    ...field('Idempotency key', m.idempotencyKey), ...field('Provider message id', m.providerMessageId),
    ...field('Last error', err), ...field('Created', time(m.createdAt)), ...field('Sent', m.sentAt ? time(m.sentAt) : null),
    ...field('Delivered', m.deliveredAt ? time(m.deliveredAt) : null), ...field('Read', m.readAt ? time(m.readAt) : null));
  const parts = [info, h('div', { class: 'actions' }, messageActions(m).slice(1))];
  const content = contentView(m);
  if (content) parts.push(h('h3', { text: 'Content' }), content);
  if (m.poll) parts.push(h('h3', { text: 'Poll results' }), pollView(m.poll));
  const history = Array.isArray(m.history) ? m.history : [];
  parts.push(h('h3', { text: 'History' }), h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('thead', null, h('tr', null, ...['At', 'Event', 'From → to', 'Attempt', 'Detail'].map(t => h('th', { scope: 'col', text: t })))),
    h('tbody', null, ...history.map(e => h('tr', null,
      h('td', null, time(e.at)), h('td', { text: e.event || '' }),
      h('td', { text: `${e.from || '·'} → ${e.to || '·'}` }), h('td', { text: e.attempt ?? '' }),
      h('td', { class: 'wrap', text: e.detail || '' })))))));
  $('#detail-body').replaceChildren(...parts);
}

function contentView(m) {
  const c = m.content;
  if (!c || typeof c !== 'object') return null;
  if (typeof c.text === 'string') return h('p', { class: 'content', text: c.text });
  if (typeof c.question === 'string') {
    return h('div', null, h('p', { class: 'content', text: c.question }),
      h('ul', null, ...(c.options || []).map(o => h('li', { text: typeof o === 'string' ? o : JSON.stringify(o) }))));
  }
  return h('pre', { class: 'content', text: JSON.stringify(c, null, 2) });
}

/** Poll results in whatever shape the hub reports them: per option a name and a count (+ voters). */
function pollView(poll) {
  const options = Array.isArray(poll.options) ? poll.options
    : Array.isArray(poll.results) ? poll.results
      : poll.votes && typeof poll.votes === 'object' ? Object.entries(poll.votes).map(([name, count]) => ({ name, count }))
        : [];
  if (options.length === 0) return h('pre', { class: 'content', text: JSON.stringify(poll, null, 2) });
  const norm = options.map(o => typeof o === 'string' ? { name: o, count: 0 } : {
    name: String(o.name ?? o.option ?? o.text ?? ''),
    count: Number(o.count ?? o.votes ?? (Array.isArray(o.voters) ? o.voters.length : 0)) || 0,
  });
  const max = Math.max(1, ...norm.map(o => o.count));
  const total = poll.totalVotes ?? poll.voters ?? norm.reduce((a, o) => a + o.count, 0);
  return h('div', { class: 'poll' },
    ...norm.map(o => h('div', { class: 'limit' },
      h('span', { class: 'limit-label', text: o.name }),
      h('meter', { min: 0, max, value: o.count, 'aria-label': `${o.name}: ${o.count} vote(s)` }),
      h('span', { class: 'limit-value', text: String(o.count) }))),
    h('p', { class: 'muted', text: `${typeof total === 'number' ? total : ''} vote(s)` }));
}

// ---------------------------------------------------------------- webhooks

async function loadWebhooks() {
  let page;
  try {
    page = await app.api.optional('/webhooks?limit=200');
  } catch (e) {
    page = null;
  }
  const panel = $('#webhooks-panel');
  if (!page) {
    app.webhooksAvailable = false;
    panel.hidden = true;
    return;
  }
  app.webhooksAvailable = true;
  panel.hidden = false;
  const items = page.items || [];
  $('#webhooks-empty').hidden = items.length > 0;
  const list = $('#webhooks');
  const open = new Set([...list.querySelectorAll('details[open]')].map(d => d.dataset.id));
  list.replaceChildren(...items.map(w => webhookItem(w, open.has(w.id))));
}

function webhookItem(w, open) {
  const deliveries = h('div', { class: 'deliveries' });
  const details = h('details', { dataset: { id: w.id } },
    h('summary', null, 'Failed deliveries'), deliveries);
  details.addEventListener('toggle', () => { if (details.open) loadDeliveries(w.id, deliveries); });
  if (open) {
    details.open = true;
  }
  const state = w.enabled ? 'enabled' : `disabled${w.disabledReason ? ' (' + w.disabledReason + ')' : ''}`;
  return h('li', { class: 'card webhook' },
    h('p', null, h('strong', { class: 'mono wrap', text: w.url })),
    h('p', { class: 'muted' }, h('span', { class: 'pill', dataset: { status: w.enabled ? 'healthy' : 'critical' }, text: state }),
      ` · ${(w.eventTypes || []).join(', ') || 'all events'}${w.instanceId ? ' · instance ' + w.instanceId : ''}`,
      w.description ? ` · ${w.description}` : ''),
    details);
}

async function loadDeliveries(webhookId, container) {
  let page;
  try {
    page = await app.api.get(`/webhooks/${p(webhookId)}/deliveries?status=failed&limit=50`);
  } catch (e) {
    container.replaceChildren(h('p', { class: 'error', text: message(e) }));
    return;
  }
  const items = page.items || [];
  if (items.length === 0) {
    container.replaceChildren(h('p', { class: 'muted', text: 'No failed deliveries.' }));
    return;
  }
  container.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'list stack' },
    h('thead', null, h('tr', null, ...['Event', 'Message', 'Attempts', 'Last answer', 'Finished', ''].map(t => h('th', { scope: 'col', text: t })))),
    h('tbody', null, ...items.map(d => h('tr', null,
      h('td', { 'data-label': 'Event', text: d.eventType }),
      h('td', { 'data-label': 'Message', class: 'mono', text: d.messageId || '' }),
      h('td', { 'data-label': 'Attempts', text: String(d.attempts ?? '') }),
      h('td', { 'data-label': 'Last answer', class: 'wrap', text: `${d.lastStatus ?? ''} ${d.lastError ? (d.lastError.code || '') + ' ' + (d.lastError.detail || '') : ''}`.trim() }),
      h('td', { 'data-label': 'Finished' }, time(d.finishedAt)),
      h('td', { class: 'row-actions' }, h('button', {
        type: 'button', class: 'secondary', 'aria-label': `Replay delivery ${shortId(d.id)}`, text: 'Replay',
        onclick: async () => {
          const res = await act('Replay', () => app.api.post(`/webhooks/${p(webhookId)}/deliveries/${p(d.id)}/replay`, {}));
          if (res !== undefined) announce(`Delivery ${shortId(d.id)} queued again.`);
          loadDeliveries(webhookId, container);
        },
      }))))))));
}

// ---------------------------------------------------------------- live updates

function startStream(key) {
  app.stream = new EventStream({ key, onEvent, onState: setLive });
  app.stream.start();
}

function setLive(state) {
  const pill = $('#live');
  const was = app.streamState;
  app.streamState = state;
  pill.dataset.state = state;
  const fallback = `refreshing every ${FALLBACK_REFRESH_MS / 1000} s`;
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    down: `Reconnecting… (${fallback})`,
    absent: `No live stream on this hub (${fallback})`,
    unauthorized: 'Live updates refused',
    admin: 'Live updates need a tenant key',
  }[state] || state;
  setText(pill, text);
  if (state === 'live') {
    stopFallback();
    // after a drop: the replay (Last-Event-ID) may not reach back far enough, so read everything once
    if (app.everLive && was !== 'live') loadAll();
    app.everLive = true;
  } else if (state === 'down' || state === 'absent') {
    startFallback();
  } else if (state === 'unauthorized') {
    logout('The hub no longer accepts this key (revoked?). Log in again.');
  }
}

function startFallback() {
  if (app.fallbackTimer) return;
  const tick = async () => {
    if (!app.api || app.streamState === 'live') {
      app.fallbackTimer = null;
      return;
    }
    if (!document.hidden) await loadAll();
    if (app.fallbackTimer) app.fallbackTimer = setTimeout(tick, FALLBACK_REFRESH_MS);
  };
  app.fallbackTimer = setTimeout(tick, FALLBACK_REFRESH_MS);
}

function stopFallback() {
  clearTimeout(app.fallbackTimer);
  app.fallbackTimer = null;
}

function onEvent(ev) {
  let payload;
  try {
    payload = JSON.parse(ev.data);
  } catch {
    return;
  }
  const type = String(ev.type !== 'message' ? ev.type : payload.type || '');
  const data = (payload && payload.data) || {};
  const instanceId = data.instanceId || payload.instanceId;
  const messageId = data.messageId || payload.messageId;
  if (type.startsWith('instance.')) {
    if (instanceId) scheduleInstance(instanceId);
  } else if (type.startsWith('message.') || type.startsWith('poll.')) {
    if (messageId) scheduleMessage(messageId, type);
    if (instanceId) scheduleInstance(instanceId);
  } else if (type.startsWith('webhook.')) {
    app.pending.webhooks = true;
    scheduleFlush();
  }
  if (Date.now() - app.healthAt > 5000) loadHealth();
}

function scheduleInstance(id) {
  app.pending.instances.add(id);
  scheduleFlush();
}

function scheduleMessage(id, type) {
  app.pending.messages.set(id, type || '');
  scheduleFlush();
}

/**
 * Which messages of a batch to read: every one already on the page or entering the dead-letter
 * lists, and a few new ones for the Messages list; the rest of a burst is left out of that list.
 */
function messagesToRead(pending) {
  const out = [];
  let fresh = 0;
  for (const [id, type] of pending) {
    const known = app.recent.has(id) || STATUSES_RETRYABLE.some(s => app.dead.lists[s].has(id)) || app.detailId === id;
    if (known || type === 'message.failed' || type === 'message.in_doubt') out.push(id);
    else if (fresh++ < MAX_NEW_MESSAGES_PER_FLUSH) out.push(id);
  }
  return out;
}

function scheduleFlush() {
  if (app.pending.timer) return;
  app.pending.timer = setTimeout(flush, EVENT_FLUSH_MS);
}

async function flush() {
  const instances = [...app.pending.instances].slice(0, MAX_INSTANCES_PER_FLUSH);
  for (const id of instances) app.pending.instances.delete(id);
  const messages = messagesToRead(app.pending.messages);
  const webhooks = app.pending.webhooks;
  app.pending.messages.clear();
  app.pending.webhooks = false;
  try {
    await Promise.allSettled([
      mapLimit(instances, 4, id => refreshInstance(id, !app.instances.has(id))),
      // every message seen on the stream is followed in the Messages list
      mapLimit(messages, 4, id => refreshMessage(id, true)),
      webhooks && app.webhooksAvailable ? loadWebhooks() : null,
    ]);
  } finally {
    app.pending.timer = null;
    if (app.pending.instances.size || app.pending.messages.size || app.pending.webhooks) scheduleFlush();
  }
}

function tickRelative() {
  for (const el of document.querySelectorAll('[data-rel]')) setText(el, el.dataset.future ? untilNow(el.dataset.rel) : relative(el.dataset.rel));
}

/** "in 12 s" for a time ahead; "now" once it has passed (a next allowed send in the past is now). */
function untilNow(iso) {
  return Date.parse(iso) > Date.now() ? relative(iso) : 'now';
}

boot();
