// Building DOM nodes without HTML strings: every server value goes in as text, never as markup.

/**
 * h('tr', {class: 'row', dataset: {id}}, 'text', child, [children])
 * Attributes: class, dataset, on* (listeners, e.g. onclick), hidden/disabled (booleans), text
 * (textContent); anything else through setAttribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

/** Replaces an element's children, with the same rules as h(): arrays flatten, null/false/undefined skip. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Sets the text of a node only when it changed (keeps screen readers and selections calm). */
export function setText(el, text) {
  const t = text === undefined || text === null ? '' : String(text);
  if (el.textContent !== t) el.textContent = t;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** "in 12 s", "3 min ago", … for an ISO timestamp; '' when absent. */
export function relative(iso, now = Date.now()) {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = Math.round((t - now) / 1000);
  const a = Math.abs(d);
  let s;
  if (a < 1) return 'now';
  if (a < 60) s = `${a} s`;
  else if (a < 3600) s = `${Math.round(a / 60)} min`;
  else if (a < 86400) s = `${Math.round(a / 3600)} h`;
  else s = `${Math.round(a / 86400)} d`;
  return d > 0 ? `in ${s}` : `${s} ago`;
}

/** A short local date-time for an ISO timestamp, with the full value for a tooltip. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', { text: iso });
  return h('time', { datetime: iso, title: `${d.toLocaleString()} (${relative(iso)})`, text: d.toLocaleString() });
}
