// The adminwire web console (docs/console.md): one page on the sidecar's REST API
// (docs/rest.md), served at /ui beside it. Everything shown is built with DOM calls from the
// API's JSON, never from HTML text, so the page runs under a strict Content-Security-Policy:
// no inline script or style, no eval. Charts are SVG drawn here; colours come from app.css
// classes. The page asks the API everything as the user who logged in here (HTTP Basic, as
// Kafka's SASL user), so it can do exactly what that user can do with curl — no more.

const REFRESH_MS = 2000;
const CREDENTIALS_KEY = 'adminwire.credentials';
const SAMPLES_KEY = 'adminwire.samples.';
/** Samples kept per job: at one per refresh, 20 minutes; older ones are thinned, not lost. */
const MAX_SAMPLES = 600;
/** The jobs whose curves are kept (the oldest looked at is forgotten first). */
const SAMPLED_JOBS = 50;
const SAMPLED_KEY = 'adminwire.sampled';
const SVG_NS = 'http://www.w3.org/2000/svg';
const JOB_STATES = ['SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const DASH = '—';

// ---------------------------------------------------------------------------------------------
// DOM helpers. Attributes and text only: nothing here parses HTML or sets inline style.

/** `el('a', {href, 'data-testid': …, onclick: fn}, 'text', node, [more])`. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

/** The same for SVG elements (geometry goes in attributes, which the CSP allows). */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked') {
      node[name] = value; // the live property, not only the initial attribute
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces `node`'s children (nulls and falses skipped, unlike replaceChildren, which writes "null"). */
function fill(node, ...children) {
  node.replaceChildren();
  appendAll(node, children);
}

/** Sets (or, for null, removes) `data-*` attributes. */
function setData(node, data) {
  for (const [name, value] of Object.entries(data)) {
    if (value === null || value === undefined) node.removeAttribute(`data-${name}`);
    else node.setAttribute(`data-${name}`, String(value));
  }
}

function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

/** A table with a header row; rows go in `tbody`. */
function table(testid, headers, tbody, caption) {
  return el('table', { 'data-testid': testid },
    caption ? el('caption', {}, caption) : null,
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    tbody);
}

/** A row of `columns` empty cells, then a cell of `actions` (buttons that stay across refreshes). */
function makeRow(testid, columns, ...actions) {
  const tr = el('tr', { 'data-testid': testid });
  for (let i = 0; i < columns; i++) tr.append(el('td'));
  if (actions.length) tr.append(el('td', { class: 'actions' }, actions));
  return tr;
}

/** What a cell shows, to tell whether it changed: text, and elements' tags, classes and links. */
function signature(value) {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(signature).join('\u241f');
  if (value instanceof Element) {
    const head = [value.tagName, value.getAttribute('class'), value.getAttribute('href'), value.getAttribute('aria-valuenow')];
    return `<${head.join(' ')}>${[...value.childNodes].map(signature).join('')}</>`;
  }
  if (value instanceof Node) return value.textContent;
  return `'${value}`;
}

/**
 * Fills a row's first cells. A cell that shows the same as before is left alone, so a refresh
 * every two seconds does not churn the DOM under the reader's pointer (or a test's click).
 */
function setCells(tr, values) {
  values.forEach((value, i) => {
    const td = tr.cells[i];
    const sig = signature(value);
    if (td.adminwireSignature === sig) return;
    td.adminwireSignature = sig;
    fill(td, value);
  });
}

/**
 * Brings `container`'s children to one per item, in order, keeping the element of an item that
 * was there already (its buttons, focus and hover survive a refresh): `make(item)` builds the
 * element of a new item, `update(element, item)` shows the item in it, new or kept.
 */
function syncRows(container, items, { key, make, update, empty }) {
  const existing = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.rowKey === undefined) child.remove();
    else existing.set(child.dataset.rowKey, child);
  }
  const used = new Set();
  items.forEach((item, i) => {
    // An item whose key came before (e.g. a topic named twice) gets a row of its own too.
    let k = String(key(item));
    if (used.has(k)) k = `${k}#${i}`;
    used.add(k);
    let node = existing.get(k);
    if (node) existing.delete(k);
    else {
      node = make(item);
      node.dataset.rowKey = k;
    }
    update(node, item);
    if (container.children[i] !== node) container.insertBefore(node, container.children[i] ?? null);
  });
  for (const node of existing.values()) node.remove();
  if (!items.length && empty) container.append(empty());
}

/** The placeholder row of an empty table. */
function emptyRow(columns, text) {
  return () => el('tr', { class: 'empty' }, el('td', { colspan: columns }, text));
}

function section(title, ...children) {
  return el('section', {}, el('h2', {}, title), children);
}

/** `[2, 3, 1]`, the replicas not in `other` marked with the classes `cls`. */
function replicaList(list, other, cls) {
  const items = [];
  (list ?? []).forEach((id, i) => {
    if (i) items.push(', ');
    const marked = other && !other.includes(id);
    items.push(el('span', { class: marked ? `replica ${cls}` : 'replica' }, String(id)));
  });
  return el('span', { class: 'replicas' }, '[', items, ']');
}

/** Before → after, the replicas lost and gained highlighted (class `moved`). */
function replicaChange(before, after) {
  return el('span', { class: 'replica-change' },
    replicaList(before, after, 'moved removed'), ' → ', replicaList(after, before, 'moved added'));
}

/** The class of a state's badge: letters and `_` of the state only, whatever the API sends. */
function stateClass(state) {
  return `state state-${String(state ?? '').replace(/[^A-Za-z_]/g, '')}`;
}

function stateBadge(state) {
  return el('span', { class: stateClass(state) }, state ?? DASH);
}

function topicLink(name) {
  return el('a', { href: `#/topics/${encodeURIComponent(name)}` }, name);
}

function intInput(testid, label, attrs = {}) {
  return el('input', { type: 'number', step: 1, inputmode: 'numeric', 'data-testid': testid, 'aria-label': label, ...attrs });
}

// ---------------------------------------------------------------------------------------------
// Formatting. Bytes are 1000-based (kB of Kafka's own tools are 1024-based; "MB" here is 1e6).

function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.abs(n);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${n < 0 ? '-' : ''}${digits} ${units[unit]}`;
}

function fmtRate(bytesPerSecond) {
  return bytesPerSecond === null || bytesPerSecond === undefined ? 'none' : `${fmtBytes(bytesPerSecond)}/s`;
}

/** `1m 20s`, `2h 5m`, `3d 4h`. */
function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || seconds < 0) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

const pad = (n) => String(n).padStart(2, '0');

/** Local time, ISO-ish: `2026-12-03 14:02:11`. Epoch ms beyond what a Date holds (the API takes
 * any i64) are shown as the number they are. */
function fmtTime(ms) {
  if (ms === null || ms === undefined) return DASH;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return `${ms} ms since the epoch`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fmtClock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A `<time>` holding the raw epoch ms, or a dash. */
function timeNode(ms) {
  if (ms === null || ms === undefined) return DASH;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return el('span', { 'data-ms': ms }, fmtTime(ms));
  const iso = d.toISOString();
  return el('time', { datetime: iso, title: iso, 'data-ms': ms }, fmtTime(ms));
}

function bytesNode(n, testid) {
  return el('span', { 'data-testid': testid, 'data-bytes': n ?? null }, fmtBytes(n));
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Credentials: kept in sessionStorage (this tab only), sent as our own Authorization header.
// Requests use `credentials: 'omit'`, so the browser never opens its own Basic dialog on a 401.

function storedCredentials() {
  try {
    const value = JSON.parse(sessionStorage.getItem(CREDENTIALS_KEY) ?? 'null');
    return value && typeof value.username === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Base64 of UTF-8 (btoa alone takes Latin-1 only). */
function base64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function authorization() {
  const credentials = storedCredentials();
  return credentials ? `Basic ${base64(`${credentials.username}:${credentials.password}`)}` : null;
}

// ---------------------------------------------------------------------------------------------
// The API. One helper; an answer that is not 2xx becomes an ApiError carrying the API's own
// message, status and Kafka error, shown as the API gave them.

class ApiError extends Error {
  constructor(status, message, body = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.kafkaError = body.kafka_error ?? null;
    this.conflict = body.conflict ?? null;
  }
}

/** What the user typed cannot be sent: no request was made. */
class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
  }
}

/** Something that went otherwise than asked, which the page explains (not a bug of the page). */
class Unexpected extends Error {
  constructor(message) {
    super(message);
    this.name = 'Unexpected';
  }
}

/** The status, parsed body (null when empty) and Location of a request. */
async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const auth = authorization();
  if (auth) headers.Authorization = auth;
  const init = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `The sidecar could not be reached: ${e.message}`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const message = data && typeof data.message === 'string'
      ? data.message
      : text || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, data && typeof data === 'object' ? data : {});
  }
  return { status: response.status, data, location: response.headers.get('Location') };
}

/** The parsed JSON of a request (null for a 204). */
async function api(method, path, body) {
  return (await request(method, path, body)).data;
}

const seg = encodeURIComponent;

// ---------------------------------------------------------------------------------------------
// Banners: the error (as the API gave it) and success notices.

/** Where the error shown came from: a refresh's error goes when a refresh succeeds again. */
let errorSource = null;

function showError(error, source = 'action') {
  // The API's answers and bad input are expected; anything else is logged too, to look into.
  const explained = error instanceof ApiError || error instanceof InputError || error instanceof Unexpected;
  if (!explained) console.error(error);
  const box = byTestId('error');
  const text = box.querySelector('.banner-text');
  const kafka = error.kafkaError;
  fill(text,
    el('span', { class: 'error-message' }, error.message || String(error)),
    kafka && kafka.name ? el('span', { class: 'error-kafka' }, ` (${kafka.name})`) : null);
  setData(box, {
    status: error.status ?? null,
    'kafka-error': kafka?.name ?? null,
    conflict: error.conflict ?? null,
  });
  box.hidden = false;
  errorSource = source;
  if (error.status === 401) openLogin({ attention: true });
}

function clearError(source) {
  if (source && errorSource !== source) return;
  const box = byTestId('error');
  box.hidden = true;
  box.querySelector('.banner-text').replaceChildren();
  setData(box, { status: null, 'kafka-error': null, conflict: null });
  errorSource = null;
}

function showNotice(message) {
  const box = byTestId('notice');
  box.querySelector('.banner-text').textContent = message;
  box.hidden = false;
}

function clearNotice() {
  const box = byTestId('notice');
  box.hidden = true;
  box.querySelector('.banner-text').textContent = '';
}

/**
 * Runs a user's action: one at a time per button, the banners of the last action cleared, any
 * failure shown in the error banner.
 */
async function act(button, work) {
  if (button.adminwireBusy) return;
  button.adminwireBusy = true;
  button.setAttribute('aria-busy', 'true');
  clearError();
  clearNotice();
  try {
    await work();
  } catch (e) {
    showError(e);
  } finally {
    button.adminwireBusy = false;
    button.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------------------------
// The confirmation dialog: in the page (tests cannot rely on window.confirm). With
// `typeToConfirm`, OK does nothing until that exact text is typed.

let pendingConfirm = null;

function confirmDialog({ title = 'Please confirm', message, okLabel = 'OK', typeToConfirm = null, typeTestId = 'confirm-name' }) {
  settleConfirm(false);
  const dialog = byTestId('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  byTestId('confirm-message').textContent = message;
  byTestId('confirm-ok').textContent = okLabel;
  const extra = document.getElementById('confirm-extra');
  extra.replaceChildren();
  let input = null;
  let hint = null;
  if (typeToConfirm !== null) {
    input = el('input', { 'data-testid': typeTestId, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'confirm-hint' });
    hint = el('p', { id: 'confirm-hint', class: 'muted' }, 'Type ', el('strong', {}, typeToConfirm), ' to confirm.');
    input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        settleConfirm(true);
      }
    });
    extra.append(el('label', {}, 'Name ', input), hint);
  }
  return new Promise((resolve) => {
    pendingConfirm = { resolve, expected: typeToConfirm, input, hint };
    if (!dialog.open) dialog.showModal();
    (input ?? byTestId('confirm-cancel')).focus();
  });
}

function settleConfirm(ok) {
  const pending = pendingConfirm;
  if (!pending) return;
  if (ok && pending.expected !== null && pending.input.value !== pending.expected) {
    // Not the name: OK is not effective; say why and stay open.
    pending.input.setAttribute('aria-invalid', 'true');
    pending.hint.classList.add('attention');
    pending.input.focus();
    return;
  }
  pendingConfirm = null;
  const dialog = byTestId('confirm-dialog');
  if (dialog.open) dialog.close();
  pending.resolve(ok);
}

function setUpConfirm() {
  const dialog = byTestId('confirm-dialog');
  byTestId('confirm-ok').addEventListener('click', () => settleConfirm(true));
  byTestId('confirm-cancel').addEventListener('click', () => settleConfirm(false));
  // Escape closes a modal dialog: that is a "no".
  dialog.addEventListener('cancel', () => settleConfirm(false));
  dialog.addEventListener('close', () => settleConfirm(false));
}

function dialogOpen() {
  return document.querySelector('dialog[open]') !== null;
}

// ---------------------------------------------------------------------------------------------
// Logging in: a form in the header. Its credentials are the Kafka user's; nothing is checked
// here — the next request says whether the cluster takes them.

function openLogin({ attention = false } = {}) {
  const form = byTestId('login-form');
  const wasHidden = form.hidden;
  form.hidden = false;
  byTestId('login-open').setAttribute('aria-expanded', 'true');
  form.classList.toggle('attention', attention);
  // Only on opening: a refresh failing again must not pull focus from what is being typed.
  if (wasHidden) byTestId('login-username').focus();
}

function closeLogin() {
  const form = byTestId('login-form');
  form.hidden = true;
  form.classList.remove('attention');
  byTestId('login-open').setAttribute('aria-expanded', 'false');
  byTestId('login-password').value = '';
}

function showWhoami() {
  const credentials = storedCredentials();
  byTestId('whoami').textContent = credentials ? credentials.username : 'anonymous';
  byTestId('logout').hidden = !credentials;
  byTestId('login-open').textContent = credentials ? 'Switch user' : 'Log in';
}

function setUpLogin() {
  const form = byTestId('login-form');
  byTestId('login-open').addEventListener('click', () => {
    if (form.hidden) openLogin();
    else closeLogin();
  });
  byTestId('login-cancel').addEventListener('click', closeLogin);
  form.addEventListener('submit', (event) => {
    event.preventDefault(); // form-action 'none': the page never submits natively
    const username = byTestId('login-username').value.trim();
    const password = byTestId('login-password').value;
    if (!username) {
      showError(new InputError('Give a user name.'));
      return;
    }
    if (username.includes(':')) {
      // HTTP Basic splits "user:password" at the first colon (RFC 7617).
      showError(new InputError('A user name with ":" cannot be sent as HTTP Basic credentials.'));
      return;
    }
    try {
      sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify({ username, password }));
    } catch (e) {
      // Not bad input: the browser's storage refused it.
      showError(new Unexpected(`The browser would not keep the credentials for this tab: ${e.message}`));
      return;
    }
    closeLogin();
    showWhoami();
    router(); // everything shown again, as that user
  });
  byTestId('logout').addEventListener('click', () => {
    sessionStorage.removeItem(CREDENTIALS_KEY);
    byTestId('login-username').value = '';
    closeLogin();
    showWhoami();
    router();
  });
}

// ---------------------------------------------------------------------------------------------
// Pages and their refresh. A page's refresh runs one fetch at a time (the next is timed from the
// end of the last), stops with the page, and only rewrites the page's data regions: forms and
// inputs are built once, so nothing being typed is lost.

class Page {
  constructor() {
    this.alive = true;
    this.timer = null;
    this.work = null;
    this.periodic = false;
    this.stopOn404 = false;
    /** The run under way, and the one queued behind it. */
    this.inFlight = null;
    this.queued = null;
    this.stopHooks = [];
  }

  /** Runs `work` now and then every REFRESH_MS while the page is shown. A 404 stops it only
   * with `stopOn404` (one thing's page, the thing gone); a list's 404 is a topic deleted
   * between two looks, and the next look is fine. */
  live(work, { stopOn404 = false } = {}) {
    this.work = work;
    this.periodic = true;
    this.stopOn404 = stopOn404;
    return this.refresh();
  }

  /** Runs `work` now, and again on refresh() after an action. */
  load(work, { stopOn404 = false } = {}) {
    this.work = work;
    this.periodic = false;
    this.stopOn404 = stopOn404;
    return this.refresh();
  }

  /** `hook` runs when the page is left (to cancel its own timers). */
  onStop(hook) {
    this.stopHooks.push(hook);
  }

  stop() {
    this.alive = false;
    clearTimeout(this.timer);
    this.timer = null;
    for (const hook of this.stopHooks) hook();
  }

  /** Runs the page's work once more; resolves when a run that started after this call has
   * ended. Never two at once: while one is in flight, one more is queued behind it (what an
   * action changed is then painted by that one, after the older answer). */
  refresh({ tick = false } = {}) {
    if (this.inFlight) {
      this.queued ??= this.inFlight.then(() => {
        this.queued = null;
        return this.refresh({ tick });
      });
      return this.queued;
    }
    this.inFlight = this.run(tick).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  async run(tick) {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.alive || !this.work) return;
    let keepGoing = true;
    try {
      // A periodic refresh waits while a dialog is open (what it confirms stays as read).
      if (!(tick && dialogOpen())) {
        await this.work();
        if (this.alive) clearError('refresh');
      }
    } catch (e) {
      if (this.alive) {
        showError(e, 'refresh');
        // Asking again is pointless without other credentials (the login form is open), or
        // for the thing this page shows once it is gone (a job or link deleted meanwhile).
        if (e.status === 401 || (e.status === 404 && this.stopOn404)) keepGoing = false;
      }
    }
    if (!this.alive || this.queued) return;
    if (keepGoing && this.periodic) this.timer = setTimeout(() => this.refresh({ tick: true }), REFRESH_MS);
  }
}

let currentPage = null;
/** A notice to show on the page being navigated to (e.g. "Topic deleted"). */
let pendingNotice = null;

const ROUTES = [
  { pattern: /^\/overview$/, nav: 'overview', render: renderOverview },
  { pattern: /^\/topics$/, nav: 'topics', render: renderTopics },
  { pattern: /^\/topics\/(.+)$/, nav: 'topics', render: renderTopic },
  { pattern: /^\/reassign$/, nav: 'reassign', render: renderReassign },
  { pattern: /^\/jobs$/, nav: 'jobs', render: renderJobs },
  { pattern: /^\/jobs\/(.+)$/, nav: 'jobs', render: renderJob },
  { pattern: /^\/links$/, nav: 'links', render: renderLinks },
  { pattern: /^\/links\/(.+)$/, nav: 'links', render: renderLink },
];

function navigate(hash, notice = null) {
  pendingNotice = notice;
  if (location.hash === hash) router();
  else location.hash = hash;
}

function router() {
  const path = location.hash.replace(/^#/, '') || '/overview';
  const route = ROUTES.find((r) => r.pattern.test(path));
  if (!route) {
    location.replace('#/overview');
    return;
  }
  currentPage?.stop();
  const page = new Page();
  currentPage = page;
  settleConfirm(false);
  clearError();
  clearNotice();
  if (pendingNotice) showNotice(pendingNotice);
  pendingNotice = null;
  for (const link of document.querySelectorAll('nav a[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  main.replaceChildren();
  let params;
  try {
    params = path.match(route.pattern).slice(1).map(decodeURIComponent);
  } catch {
    showError(new InputError(`The address ${location.hash} is not one the console knows.`));
    return;
  }
  try {
    route.render(page, main, ...params);
  } catch (e) {
    showError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Overview: the cluster, its brokers (with a chart of their load), leader elections.

function renderOverview(page, main) {
  const summary = el('dl', { class: 'summary', 'data-testid': 'cluster-summary' });
  const brokerRows = el('tbody');
  const chart = svg('svg', {
    'data-testid': 'broker-chart', class: 'chart', viewBox: '0 0 640 260', role: 'img',
    'aria-label': 'Partitions and leaders per broker',
  });
  const skew = el('p', { class: 'skew', 'data-testid': 'skew' }, 'Loading…');
  const neededRows = el('tbody');
  const electAll = el('button', { type: 'button', 'data-testid': 'elect-all' }, 'Elect preferred leaders');
  const resultRows = el('tbody');
  const results = el('div', { 'data-testid': 'election-results', hidden: true },
    table('election-results-table', ['Topic', 'Partition', 'Outcome'], resultRows, 'Results of the last election'));
  let needed = [];

  electAll.addEventListener('click', () => act(electAll, async () => {
    // The partitions listed; with none listed, every partition (the API's body without
    // `partitions`), which elects any the list has not caught yet.
    const body = needed.length ? { partitions: needed.map(({ topic, partition }) => ({ topic, partition })) } : {};
    const answer = await api('POST', '/elections', body);
    showElectionResults(resultRows, answer);
    results.hidden = false;
    const failed = answer.filter((r) => !r.elected).length;
    showNotice(failed
      ? `${answer.length - failed} elected, ${failed} failed`
      : `Preferred leaders elected (${plural(answer.length, 'partition')})`);
    await page.refresh();
  }));

  main.append(
    el('h1', {}, 'Overview'),
    section('Cluster', summary),
    section('Brokers',
      table('brokers-table', ['Broker', 'Address', 'Rack', 'Role', 'Partitions', 'Leaders'], brokerRows),
      el('figure', { class: 'chart-figure' }, chart,
        el('figcaption', {}, el('span', { class: 'key key-partitions' }), ' replicas held ',
          el('span', { class: 'key key-leaders' }), ' partitions led')),
      skew),
    section('Leader elections',
      el('p', { class: 'muted' }, 'Partitions whose leader is not their preferred replica (the first of their replicas).'),
      table('elections-needed', ['Topic', 'Partition', 'Leader', 'Preferred leader'], neededRows),
      el('p', {}, electAll, ' ', el('span', { class: 'muted' }, 'Elects the preferred replica of the partitions listed (of every partition when none is).')),
      results));

  page.live(async () => {
    const [cluster, brokers, unbalanced] = await Promise.all([
      api('GET', '/cluster'), api('GET', '/brokers'), api('GET', '/elections/needed')]);
    fillClusterSummary(summary, cluster);
    syncRows(brokerRows, brokers, {
      key: (b) => b.id,
      make: () => makeRow('broker-row', 6),
      update: (tr, b) => {
        setData(tr, { 'broker-id': b.id, rack: b.rack, partitions: b.partitions, leaders: b.leaders });
        setCells(tr, [b.id, `${b.host}:${b.port}`, b.rack ?? DASH, b.role, b.partitions, b.leaders]);
      },
      empty: emptyRow(6, 'No broker'),
    });
    drawBrokerChart(chart, brokers);
    fillSkew(skew, brokers);
    needed = unbalanced;
    syncRows(neededRows, unbalanced, {
      key: (p) => `${p.topic}|${p.partition}`,
      make: () => makeRow('election-row', 4),
      update: (tr, p) => {
        setData(tr, { topic: p.topic, partition: p.partition });
        setCells(tr, [topicLink(p.topic), p.partition, p.leader < 0 ? 'none' : p.leader, p.preferred_leader]);
      },
      empty: emptyRow(4, 'Every partition is led by its preferred replica.'),
    });
  });
}

function fillClusterSummary(summary, cluster) {
  const items = [
    ['Cluster id', 'kafka_cluster_id', cluster.kafka_cluster_id ?? DASH],
    ['Controller', 'controller', cluster.controller ?? DASH],
    ['Brokers', 'brokers', cluster.brokers],
    ['Topics', 'topics', cluster.topics],
    ['Partitions', 'partitions', cluster.partitions],
    ['Under-replicated', 'under_replicated_partitions', cluster.under_replicated_partitions],
    ['Offline', 'offline_partitions', cluster.offline_partitions],
  ];
  fill(summary, items.map(([label, field, value]) => {
    const bad = (field === 'under_replicated_partitions' || field === 'offline_partitions') && value > 0;
    return el('div', { class: bad ? 'fact bad' : 'fact' },
      el('dt', {}, label),
      el('dd', { 'data-field': field, 'data-value': value }, String(value)));
  }));
}

function fillSkew(node, brokers) {
  const of = (values) => {
    if (!values.length) return null;
    const avg = values.reduce((a, b) => a + b, 0) / values.length;
    const max = Math.max(...values);
    return { max, avg, ratio: avg > 0 ? max / avg : 1 };
  };
  const leaders = of(brokers.map((b) => b.leaders));
  const partitions = of(brokers.map((b) => b.partitions));
  if (!leaders) {
    node.textContent = 'No broker.';
    return;
  }
  const say = (name, s) => `${name} skew ${s.ratio.toFixed(2)} (max ${s.max} / avg ${s.avg.toFixed(2)})`;
  node.textContent = `${say('Leader', leaders)} · ${say('Partition', partitions)}`;
  setData(node, { 'leader-skew': leaders.ratio.toFixed(2), 'partition-skew': partitions.ratio.toFixed(2) });
  node.classList.toggle('bad', leaders.ratio > 1.5 || partitions.ratio > 1.5);
}

function drawBrokerChart(node, brokers) {
  const data = JSON.stringify(brokers);
  if (node.adminwireData === data) return; // unchanged: leave the tooltips under the pointer
  node.adminwireData = data;
  const W = 640;
  const H = 260;
  const m = { l: 44, r: 12, t: 16, b: 48 };
  fill(node, svg('title', {}, 'Partitions (replicas held) and leaders per broker'));
  if (!brokers.length) {
    node.append(svg('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'No broker'));
    return;
  }
  const max = Math.max(1, ...brokers.map((b) => Math.max(b.partitions, b.leaders)));
  const plotW = W - m.l - m.r;
  const plotH = H - m.t - m.b;
  const y = (v) => m.t + plotH - (v / max) * plotH;
  for (const tick of [...new Set([0, Math.round(max / 2), max])]) {
    node.append(
      svg('line', { x1: m.l, x2: W - m.r, y1: y(tick), y2: y(tick), class: tick ? 'grid' : 'axis' }),
      svg('text', { x: m.l - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'tick' }, String(tick)));
  }
  const group = plotW / brokers.length;
  const barW = Math.max(4, Math.min(36, group * 0.32));
  brokers.forEach((b, i) => {
    const cx = m.l + group * (i + 0.5);
    const g = svg('g', { 'data-broker-id': b.id });
    const bars = [
      ['bar bar-partitions', b.partitions, cx - barW - 1, `Broker ${b.id}: ${b.partitions} replicas`],
      ['bar bar-leaders', b.leaders, cx + 1, `Broker ${b.id}: ${b.leaders} leaders`],
    ];
    for (const [cls, value, x, label] of bars) {
      g.append(
        svg('rect', { x: x.toFixed(1), y: y(value).toFixed(1), width: barW.toFixed(1), height: (m.t + plotH - y(value)).toFixed(1), class: cls },
          svg('title', {}, label)),
        svg('text', { x: (x + barW / 2).toFixed(1), y: (y(value) - 4).toFixed(1), 'text-anchor': 'middle', class: 'value' }, String(value)));
    }
    g.append(
      svg('text', { x: cx.toFixed(1), y: H - m.b + 18, 'text-anchor': 'middle', class: 'label' }, `broker ${b.id}`),
      svg('text', { x: cx.toFixed(1), y: H - m.b + 34, 'text-anchor': 'middle', class: 'tick' }, b.rack ?? ''));
    node.append(g);
  });
}

function showElectionResults(tbody, results) {
  syncRows(tbody, results, {
    key: (r) => `${r.topic}|${r.partition}`,
    make: () => makeRow('election-result', 3),
    update: (tr, r) => {
      setData(tr, { topic: r.topic, partition: r.partition, elected: r.elected ? 'true' : 'false' });
      tr.classList.toggle('failed', !r.elected);
      const outcome = r.elected
        ? 'elected'
        : [r.error?.name ?? 'failed', r.message ? `: ${r.message}` : ''].join('');
      setCells(tr, [r.topic, r.partition, outcome]);
    },
    empty: emptyRow(3, 'No partition was asked about.'),
  });
}

// ---------------------------------------------------------------------------------------------
// Topics: the list (filtered here), creating one, and one topic's partitions and settings.

function renderTopics(page, main) {
  const search = el('input', { type: 'search', 'data-testid': 'topic-search', placeholder: 'Filter by name', 'aria-label': 'Filter topics by name' });
  const rows = el('tbody');
  const count = el('span', { class: 'muted', 'aria-live': 'polite' });
  let all = [];
  // Filtered here, from the list last fetched: rows that do not match are not in the table.
  const show = () => {
    const query = search.value.trim().toLowerCase();
    const shown = all.filter((t) => t.name.toLowerCase().includes(query));
    syncRows(rows, shown, {
      key: (t) => t.name,
      make: () => makeRow('topic-row', 6),
      update: (tr, t) => {
        const health = partitionHealth(t.partitions);
        setData(tr, { topic: t.name, partitions: t.partitions.length, rf: t.replication_factor });
        tr.classList.toggle('bad', health.offline > 0 || health.under > 0);
        setCells(tr, [topicLink(t.name), t.partitions.length, t.replication_factor, health.under, health.offline,
          Object.keys(t.configs ?? {}).length]);
      },
      empty: emptyRow(6, query ? 'No topic matches.' : 'No topic you may describe.'),
    });
    count.textContent = query ? `${shown.length} of ${plural(all.length, 'topic')}` : plural(all.length, 'topic');
  };
  search.addEventListener('input', show);

  main.append(
    el('h1', {}, 'Topics'),
    el('p', { class: 'toolbar' }, el('label', {}, 'Filter ', search), ' ', count),
    table('topics-table', ['Topic', 'Partitions', 'Replication factor', 'Under-replicated', 'Offline', 'Own settings'], rows),
    createTopicForm(page));

  page.load(async () => {
    all = Object.values(await api('GET', '/topics?expand=info')).sort((a, b) => a.name.localeCompare(b.name));
    show();
  });
}

function partitionHealth(partitions) {
  let under = 0;
  let offline = 0;
  for (const p of partitions) {
    if (p.leader < 0) offline += 1;
    if (p.isr.length < p.replicas.length) under += 1;
  }
  return { under, offline };
}

/** `key=value` a line; blank lines and `#` comments skipped. */
function parseConfigs(text) {
  const configs = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = line.indexOf('=');
    if (at <= 0) throw new InputError(`Settings, line ${i + 1}: "${line}" is not key=value.`);
    configs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return configs;
}

/** A whole number from an input, or null when it is blank. */
function intField(input, label) {
  const text = input.value.trim();
  if (!text) return null;
  if (!/^-?\d+$/.test(text)) throw new InputError(`${label}: "${text}" is not a whole number.`);
  return Number(text);
}

function createTopicForm(page) {
  const name = el('input', { 'data-testid': 'create-name', autocomplete: 'off', spellcheck: 'false' });
  const partitions = intInput('create-partitions', 'Partitions', { min: 1 });
  const rf = intInput('create-rf', 'Replication factor', { min: 1 });
  const configs = el('textarea', { 'data-testid': 'create-configs', rows: 4, spellcheck: 'false', placeholder: 'retention.ms=86400000\ncleanup.policy=compact' });
  const submit = el('button', { type: 'submit', 'data-testid': 'create-submit' }, 'Create topic');
  const form = el('form', { 'data-testid': 'create-topic-form', class: 'form-grid', novalidate: true, 'aria-labelledby': 'create-topic-title' },
    el('label', {}, 'Name', name),
    el('label', {}, 'Partitions', partitions),
    el('label', {}, 'Replication factor', rf),
    el('label', { class: 'wide' }, 'Settings (key=value, one a line)', configs),
    el('div', { class: 'wide' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(submit, async () => {
      const topic = name.value.trim();
      if (!topic) throw new InputError('Give the topic a name.');
      // Only what was given: the API names what is missing.
      const body = {};
      const p = intField(partitions, 'Partitions');
      const r = intField(rf, 'Replication factor');
      if (p !== null) body.partitions = p;
      if (r !== null) body.replication_factor = r;
      const settings = parseConfigs(configs.value);
      if (Object.keys(settings).length) body.configs = settings;
      // PUT on an existing topic would change it (its settings become these): a create form
      // must not, so it looks first.
      if (await topicExists(topic)) throw new InputError(`Topic ${topic} exists already: change it on its own page.`);
      const answer = await request('PUT', `/topics/${seg(topic)}`, body);
      form.reset();
      // Created by someone else between the look and the PUT: say what happened to it.
      if (answer.status !== 201) {
        throw new Unexpected(`Topic ${topic} was created by someone else a moment before; the PUT brought it to what this form gave.`);
      }
      showNotice('Topic created');
      await page.refresh();
    });
  });
  return el('section', {}, el('h2', { id: 'create-topic-title' }, 'Create a topic'), form);
}

async function topicExists(name) {
  try {
    await api('GET', `/topics/${seg(name)}`);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    if (e instanceof ApiError && e.status === 403) return false; // cannot tell: the PUT decides
    throw e;
  }
}

function renderTopic(page, main, name) {
  const facts = el('dl', { class: 'summary' });
  const partitionRows = el('tbody');
  const configRows = el('tbody');

  const configKey = el('input', { 'data-testid': 'config-key', autocomplete: 'off', spellcheck: 'false', placeholder: 'retention.ms' });
  const configValue = el('input', { 'data-testid': 'config-value', autocomplete: 'off', spellcheck: 'false' });
  const configSet = el('button', { type: 'submit', 'data-testid': 'config-set' }, 'Set');
  const configForm = el('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Set a setting' },
    el('label', {}, 'Key ', configKey), el('label', {}, 'Value ', configValue), configSet);
  configForm.addEventListener('submit', (event) => {
    event.preventDefault();
    act(configSet, async () => {
      const key = configKey.value.trim();
      if (!key) throw new InputError('Give the setting\'s key.');
      const configs = await api('PATCH', `/topics/${seg(name)}/configs`, { [key]: configValue.value });
      fillConfigs(configs);
      configKey.value = '';
      configValue.value = '';
      showNotice(`Setting ${key} saved`);
    });
  });

  const addInput = intInput('add-partitions-input', 'New partition count', { min: 1 });
  const addSubmit = el('button', { type: 'submit', 'data-testid': 'add-partitions-submit' }, 'Increase');
  const addForm = el('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Increase the partition count' },
    el('label', {}, 'New partition count ', addInput), addSubmit,
    el('span', { class: 'muted' }, ' The total, larger than now; partitions are never removed.'));
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    act(addSubmit, async () => {
      const count = intField(addInput, 'New partition count');
      if (count === null) throw new InputError('Give the new partition count (the total).');
      const topic = await api('PUT', `/topics/${seg(name)}`, { partitions: count });
      addInput.value = '';
      fillTopic(topic);
      showNotice(`Topic ${name} has ${plural(topic.partitions.length, 'partition')}`);
    });
  });

  const deleteButton = el('button', { type: 'button', class: 'danger', 'data-testid': 'delete-topic' }, 'Delete topic…');
  deleteButton.addEventListener('click', () => act(deleteButton, async () => {
    const ok = await confirmDialog({
      title: 'Delete topic',
      message: `Delete topic ${name} and every record in it? This cannot be undone.`,
      okLabel: 'Delete',
      typeToConfirm: name,
      typeTestId: 'delete-confirm-name',
    });
    if (!ok) return;
    await api('DELETE', `/topics/${seg(name)}`);
    navigate('#/topics', 'Topic deleted');
  }));

  function fillConfigs(configs) {
    const entries = Object.entries(configs ?? {}).sort(([a], [b]) => a.localeCompare(b));
    syncRows(configRows, entries, {
      key: ([key]) => key,
      make: () => {
        const remove = el('button', { type: 'button', class: 'small', 'data-testid': 'config-delete' }, 'Remove');
        const tr = makeRow('config-row', 3, remove);
        remove.addEventListener('click', () => act(remove, async () => {
          const key = tr.dataset.key;
          const after = await api('PATCH', `/topics/${seg(name)}/configs`, { [key]: null });
          fillConfigs(after);
          showNotice(`Setting ${key} removed: the default applies`);
        }));
        return tr;
      },
      update: (tr, [key, value]) => {
        // The API lists the topic's own settings only: each is an override of a default.
        setData(tr, { key, value, source: 'topic' });
        tr.querySelector('[data-testid="config-delete"]').setAttribute('aria-label', `Remove ${key}`);
        setCells(tr, [key, value, 'topic override']);
      },
      empty: emptyRow(4, 'No setting of its own: the brokers\' defaults apply.'),
    });
  }

  function fillTopic(topic) {
    const health = partitionHealth(topic.partitions);
    fill(facts,
      fact('Partitions', topic.partitions.length, 'partitions'),
      fact('Replication factor', topic.replication_factor, 'replication_factor'),
      fact('Under-replicated', health.under, 'under_replicated', health.under > 0),
      fact('Offline', health.offline, 'offline', health.offline > 0));
    addInput.min = String(topic.partitions.length + 1);
    addInput.placeholder = String(topic.partitions.length + 1);
    const partitions = [...topic.partitions].sort((a, b) => a.partition - b.partition);
    syncRows(partitionRows, partitions, {
      key: (p) => p.partition,
      make: () => makeRow('partition-row', 5),
      update: (tr, p) => {
        const offline = p.leader < 0;
        const under = p.isr.length < p.replicas.length;
        setData(tr, { partition: p.partition, leader: p.leader, offline: offline ? 'true' : 'false', 'under-replicated': under ? 'true' : 'false' });
        tr.classList.toggle('bad', offline || under);
        const marks = [
          offline ? el('span', { class: 'mark mark-offline' }, 'offline') : null,
          under ? el('span', { class: 'mark mark-under' }, 'under-replicated') : null,
          p.leader >= 0 && p.leader !== p.replicas[0] ? el('span', { class: 'mark' }, 'not on preferred leader') : null,
        ].filter(Boolean);
        // Replicas out of the ISR are marked in the replica list.
        setCells(tr, [p.partition, offline ? 'none' : p.leader, replicaList(p.replicas, p.isr, 'missing'), replicaList(p.isr),
          marks.length ? marks : 'ok']);
      },
      empty: emptyRow(5, 'No partition.'),
    });
    fillConfigs(topic.configs);
  }

  // Shown once the topic is read: a caller refused it sees the API's answer, not empty forms.
  const sections = el('div', { hidden: true },
    section('Partitions',
      table('partitions-table', ['Partition', 'Leader', 'Replicas', 'In-sync replicas', 'Status'], partitionRows),
      addForm,
      el('p', { class: 'muted' }, 'Moving replicas or changing the replication factor is a reassignment: ',
        el('a', { href: '#/reassign' }, 'reassign'), '.')),
    section('Settings',
      table('configs-table', ['Key', 'Value', 'Source', ''], configRows),
      configForm),
    section('Delete', el('p', {}, deleteButton)));
  main.append(el('div', { 'data-testid': 'topic-detail', 'data-topic': name },
    el('p', { class: 'crumbs' }, el('a', { href: '#/topics' }, 'Topics'), ' / '),
    el('h1', {}, 'Topic ', el('span', { class: 'name' }, name)),
    facts,
    sections));

  page.load(async () => {
    fillTopic(await api('GET', `/topics/${seg(name)}`));
    sections.hidden = false;
  }, { stopOn404: true });
}

function fact(label, value, field, bad = false) {
  const text = value === null || value === undefined ? DASH : value;
  return el('div', { class: bad ? 'fact bad' : 'fact' },
    el('dt', {}, label),
    el('dd', { 'data-field': field, 'data-value': value ?? null }, text instanceof Node ? text : String(text)));
}

// ---------------------------------------------------------------------------------------------
// The reassignment wizard: topics → target → review (plan, warnings) → throttle and schedule →
// confirm. Every step is in the page from the start; only the current one is shown. Each step
// is built by its own function (buildTopicsStep … buildConfirmStep), which returns its section
// and what the navigation asks of it; renderReassign wires them together and moves between them.

const WIZARD_STEPS = ['Topics', 'Target', 'Review', 'Throttle and schedule', 'Confirm'];

/** What the steps share. */
function newWizardState() {
  return {
    step: 1,
    topics: {}, // by name, as GET /topics?expand=info gives them
    brokers: [],
    // The topics picked, kept apart from the list shown: filtering never unpicks one.
    picked: new Set(),
    reassignments: null, // the body's `reassignments`, fixed when the plan is made
    plan: null,
    edited: false, // the hand-edited assignment was typed in: never overwrite it
    // Each estimate and prefill asked for is numbered: an answer overtaken by a later request
    // is dropped, whatever order the answers come back in.
    estimateSeq: 0,
    prefillSeq: 0,
  };
}

function renderReassign(page, main) {
  const wiz = newWizardState();
  const topicsStep = buildTopicsStep(wiz);
  const targetStep = buildTargetStep(page, wiz);
  const reviewStep = buildReviewStep(wiz);
  const scheduleStep = buildScheduleStep(page, wiz);
  const confirmStep = buildConfirmStep(wiz, targetStep, reviewStep, scheduleStep);
  const sections = [topicsStep, targetStep, reviewStep, scheduleStep, confirmStep].map((step) => step.section);

  const progress = el('ol', { class: 'wizard-progress' }, WIZARD_STEPS.map((t, i) => el('li', { 'data-progress-step': i + 1 }, t)));
  const back = el('button', { type: 'button', 'data-testid': 'wizard-back' }, '← Back');
  const next = el('button', { type: 'button', class: 'primary', 'data-testid': 'wizard-next' }, 'Next →');

  function showStep(n) {
    wiz.step = n;
    for (const s of sections) s.hidden = Number(s.dataset.step) !== n;
    for (const li of progress.children) {
      if (Number(li.dataset.progressStep) === n) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    }
    back.disabled = n === 1;
    next.hidden = n === WIZARD_STEPS.length;
  }

  back.addEventListener('click', () => {
    clearError();
    if (wiz.step > 1) showStep(wiz.step - 1);
  });
  next.addEventListener('click', () => act(next, async () => {
    if (wiz.step === 1) {
      if (!pickedTopics(wiz).length) throw new InputError('Pick at least one topic.');
      targetStep.prefillUnlessEdited();
      showStep(2);
    } else if (wiz.step === 2) {
      next.textContent = 'Planning…';
      try {
        await reviewStep.makePlan(targetStep.reassignments());
      } finally {
        next.textContent = 'Next →';
      }
      showStep(3);
    } else if (wiz.step === 3) {
      showStep(4);
      scheduleStep.reestimate();
    } else if (wiz.step === 4) {
      // A throttle or start time that is not one keeps the wizard here, before any request.
      scheduleStep.readThrottle();
      scheduleStep.readSchedule();
      await scheduleStep.estimateNow();
      confirmStep.summarize();
      showStep(5);
    }
  }));

  const submit = confirmStep.submit;
  submit.addEventListener('click', () => act(submit, async () => {
    const body = { reassignments: wiz.reassignments };
    const bytesPerSecond = scheduleStep.readThrottle();
    if (bytesPerSecond !== null) body.throttle = bytesPerSecond;
    const at = scheduleStep.readSchedule();
    if (at !== null) {
      body.is_schedule = true;
      body.execute_at = at;
    }
    const answer = await request('POST', '/reassignments', body);
    const id = answer.data?.job_id ?? answer.location?.split('/').pop();
    // Not the user's input at fault: the API's answer lacks what it promises.
    if (!id) throw new Unexpected('The job was accepted, but the API did not say its id: see Jobs.');
    navigate(`#/jobs/${seg(id)}`, at === null ? 'Reassignment started' : 'Reassignment scheduled');
  }));

  main.append(
    el('h1', {}, 'Reassign partitions'),
    el('div', { class: 'wizard', 'data-testid': 'wizard' },
      progress, sections, el('p', { class: 'wizard-nav' }, back, ' ', next)));
  showStep(1);

  page.load(async () => {
    const [topics, brokers] = await Promise.all([api('GET', '/topics?expand=info'), api('GET', '/brokers')]);
    wiz.topics = topics;
    wiz.brokers = brokers;
    topicsStep.showTopics();
    targetStep.showBrokers();
  });
}

/** A step's section, hidden unless it is the first. */
function wizardSection(n, title, ...children) {
  return el('section', { class: 'wizard-step', 'data-testid': 'wizard-step', 'data-step': n, hidden: n !== 1 },
    el('h2', {}, `${n}. ${title}`), children);
}

// Step 1: the topics to move, picked from the list (filtered by name here).

function buildTopicsStep(wiz) {
  const search = el('input', { type: 'search', 'data-testid': 'wizard-topic-search', placeholder: 'Filter by name', 'aria-label': 'Filter topics by name' });
  const list = el('div', { class: 'checklist', role: 'group', 'aria-label': 'Topics' });
  const count = el('span', { class: 'muted', 'aria-live': 'polite' });
  const showCount = () => {
    count.textContent = `${plural(wiz.picked.size, 'topic')} picked`;
  };

  /** The topics loaded that match the filter, those picked checked. */
  function showTopics() {
    const query = search.value.trim().toLowerCase();
    const shown = Object.values(wiz.topics).filter((t) => t.name.toLowerCase().includes(query))
      .sort((a, b) => a.name.localeCompare(b.name));
    fill(list, shown.length ? shown.map((t) => el('label', { 'data-topic': t.name },
      el('input', { type: 'checkbox', 'data-testid': 'wizard-topic', value: t.name, checked: wiz.picked.has(t.name) }),
      ` ${t.name} `, el('span', { class: 'muted' }, `${plural(t.partitions.length, 'partition')}, RF ${t.replication_factor}`)))
      : el('p', { class: 'muted' }, 'No topic matches.'));
    showCount();
  }

  search.addEventListener('input', () => showTopics());
  list.addEventListener('change', (event) => {
    const box = event.target;
    if (box.checked) wiz.picked.add(box.value);
    else wiz.picked.delete(box.value);
    showCount();
  });

  return {
    section: wizardSection(1, 'Pick the topics', el('p', { class: 'toolbar' }, el('label', {}, 'Filter ', search), ' ', count), list),
    showTopics,
  };
}

function pickedTopics(wiz) {
  return [...wiz.picked].sort();
}

// Step 2: the target, as brokers (and a replication factor) or as an assignment typed in (JSON).

function buildTargetStep(page, wiz) {
  const brokerList = el('div', { class: 'checklist', role: 'group', 'aria-label': 'Target brokers' });
  const rf = intInput('wizard-rf', 'Replication factor', { min: 1, placeholder: 'keep' });
  const pickButton = (testid, text, pick) => {
    const button = el('button', { type: 'button', class: 'small', 'data-testid': testid }, text);
    button.addEventListener('click', () => {
      const ids = pick();
      for (const box of brokerList.querySelectorAll('input')) box.checked = ids.has(Number(box.value));
    });
    return button;
  };
  const brokerPicker = el('div', {},
    el('fieldset', {}, el('legend', {}, 'Target brokers'),
      el('p', { class: 'toolbar' },
        pickButton('wizard-brokers-all', 'All', () => new Set(wiz.brokers.map((b) => b.id))),
        pickButton('wizard-brokers-current', 'Where they are now', () => brokersHoldingPickedTopics(wiz)),
        pickButton('wizard-brokers-none', 'None', () => new Set())),
      brokerList),
    el('label', {}, 'Replication factor ', rf, el('span', { class: 'muted' }, ' blank: keep each topic\'s')));
  const editToggle = el('input', { type: 'checkbox', 'data-testid': 'wizard-mode-edit' });
  const assignment = el('textarea', { 'data-testid': 'wizard-assignment', rows: 14, spellcheck: 'false', class: 'code', 'aria-label': 'Assignment (JSON)' });
  const assignmentBox = el('div', { hidden: true },
    el('p', { class: 'muted' }, 'Each partition\'s replicas, the preferred leader first (the API\'s ',
      el('code', {}, 'reassignments'), ' with ', el('code', {}, 'assignment'), '). Filled in with the plan for the brokers picked, or where the partitions are now.'),
    assignment);
  assignment.addEventListener('input', () => { wiz.edited = true; });
  editToggle.addEventListener('change', () => {
    brokerPicker.hidden = editToggle.checked;
    assignmentBox.hidden = !editToggle.checked;
    prefillUnlessEdited();
  });

  function selectedBrokers() {
    return [...brokerList.querySelectorAll('input:checked')].map((box) => Number(box.value));
  }

  /** Each picked topic onto the brokers picked; the factor only when one is given (else kept). */
  function reassignmentsOntoBrokers() {
    const factor = intField(rf, 'Replication factor');
    const brokers = selectedBrokers();
    return pickedTopics(wiz).map((topic) => (factor === null ? { topic, brokers } : { topic, brokers, replication_factor: factor }));
  }

  /** Fills in the assignment to edit, unless it is not shown or was typed in. */
  function prefillUnlessEdited() {
    if (editToggle.checked && !wiz.edited) prefillAssignment();
  }

  async function prefillAssignment() {
    const seq = ++wiz.prefillSeq;
    assignment.value = assignmentText(pickedPlacement(wiz, null));
    if (!selectedBrokers().length || !pickedTopics(wiz).length) return;
    // The plan for the brokers picked, once the API has made it (unless typing began, or the
    // brokers were picked again meanwhile).
    try {
      const plan = await api('POST', '/reassignments/plan', { reassignments: reassignmentsOntoBrokers() });
      if (seq === wiz.prefillSeq && !wiz.edited && editToggle.checked && page.alive) {
        assignment.value = assignmentText(pickedPlacement(wiz, plan));
      }
    } catch (e) {
      if (seq === wiz.prefillSeq && page.alive) showError(e);
    }
  }

  return {
    section: wizardSection(2, 'Choose the target',
      brokerPicker,
      el('p', {}, el('label', {}, editToggle, ' Edit the assignment by hand (JSON)')),
      assignmentBox),
    prefillUnlessEdited,

    /** The brokers loaded, as checkboxes; those checked stay checked. */
    showBrokers() {
      const chosen = new Set(selectedBrokers());
      fill(brokerList, wiz.brokers.map((b) => el('label', { 'data-broker-id': b.id, 'data-rack': b.rack ?? null },
        el('input', { type: 'checkbox', 'data-testid': 'wizard-broker', value: b.id, checked: chosen.has(b.id) }),
        ` broker ${b.id} `, el('span', { class: 'muted' }, `${b.rack ? `rack ${b.rack}` : 'no rack'} · ${b.host}:${b.port} · ${plural(b.partitions, 'replica')}`))));
    },

    /** The body's `reassignments`: target brokers (and factor) per topic, or the JSON typed in. */
    reassignments() {
      if (editToggle.checked) return parseAssignment(assignment.value);
      if (!pickedTopics(wiz).length) throw new InputError('Pick at least one topic (step 1).');
      if (!selectedBrokers().length) throw new InputError('Pick at least one target broker, or edit the assignment by hand.');
      return reassignmentsOntoBrokers();
    },

    /** The target in words, for the confirmation. */
    describe() {
      return editToggle.checked
        ? 'the assignment edited by hand'
        : `brokers ${selectedBrokers().join(', ')}${rf.value.trim() ? `, replication factor ${rf.value.trim()}` : ''}`;
    },
  };
}

/** The brokers holding replicas of the picked topics now. */
function brokersHoldingPickedTopics(wiz) {
  const ids = new Set();
  for (const name of pickedTopics(wiz)) {
    for (const p of wiz.topics[name]?.partitions ?? []) p.replicas.forEach((id) => ids.add(id));
  }
  return ids;
}

/** Where each partition of the picked topics is now, or where `plan` puts it. */
function pickedPlacement(wiz, plan) {
  const planned = new Map((plan?.partitions ?? []).map((m) => [`${m.topic}|${m.partition}`, m.target_replicas]));
  return pickedTopics(wiz).map((topic) => ({
    topic,
    assignment: [...(wiz.topics[topic]?.partitions ?? [])]
      .sort((a, b) => a.partition - b.partition)
      .map((p) => ({ partition: p.partition, partition_brokers: planned.get(`${topic}|${p.partition}`) ?? p.replicas })),
  }));
}

/** The API's `reassignments` with `assignment`, a partition a line. */
function assignmentText(entries) {
  const topics = entries.map((e) => `  {"topic": ${JSON.stringify(e.topic)}, "assignment": [\n${
    e.assignment.map((a) => `    {"partition": ${a.partition}, "partition_brokers": ${JSON.stringify(a.partition_brokers)}}`).join(',\n')}\n  ]}`);
  return `[\n${topics.join(',\n')}\n]\n`;
}

function parseAssignment(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`The assignment is not JSON: ${e.message}`);
  }
  if (value && !Array.isArray(value) && Array.isArray(value.reassignments)) value = value.reassignments;
  if (!Array.isArray(value) || !value.length || !value.every((t) => t && typeof t.topic === 'string')) {
    throw new InputError('The assignment must be a list of {"topic", "assignment": [{"partition", "partition_brokers"}]}.');
  }
  const named = new Set();
  for (const { topic } of value) {
    if (named.has(topic)) throw new InputError(`Topic ${topic} is named twice: give each topic once, with all its partitions.`);
    named.add(topic);
  }
  return value;
}

// Step 3: the review of the plan the API makes, with what else moves on the cluster and the
// throttles left behind.

function buildReviewStep(wiz) {
  const placementRows = el('tbody');
  const move = el('p', { 'data-testid': 'wizard-move' });
  const bytes = el('p', { 'data-testid': 'wizard-bytes' });
  const estimate = el('p', { 'data-testid': 'wizard-estimate' });
  const warnings = el('div', { class: 'warnings', 'aria-live': 'polite' });
  const notes = el('div');
  const review = el('div', { 'data-testid': 'wizard-review' },
    el('div', { class: 'review-facts' }, move, bytes, estimate),
    warnings, notes,
    table('wizard-placement', ['Topic', 'Partition', 'Replicas before → after', 'Bytes'], placementRows));

  function showPlan(plan, motion) {
    const rows = planRows(wiz, plan);
    const { replicas, partitions, reordered } = countMoves(rows);
    fillPlacementRows(placementRows, rows);
    move.textContent = `${plural(replicas, 'replica')} to copy, in ${plural(partitions, 'partition')}`
      + (reordered ? `; ${plural(reordered, 'partition')} only ${reordered === 1 ? 'changes its' : 'change their'} preferred leader` : '')
      + ` (${plural(rows.length, 'partition')} in all)`;
    setData(move, { replicas, partitions, reordered });
    bytes.textContent = `${fmtBytes(plan.bytes_to_move)} to move`;
    setData(bytes, { bytes: plan.bytes_to_move });
    estimate.textContent = estimateText(plan);
    setData(estimate, { seconds: plan.reassignment_time, rate: plan.rate });

    const found = motionWarnings(motion, new Set(wiz.reassignments.map((r) => r.topic)));
    fill(warnings, (found.length ? found
      : [el('p', { class: 'ok' }, 'Nothing else is moving, and no throttle is left behind.')]));
    fill(notes, (plan.rack_unaware_topics ?? []).map((topic) => el('p', { class: 'note', 'data-testid': 'wizard-note' },
      `${topic} is placed without regard to racks.`)));
  }

  return {
    section: wizardSection(3, 'Review the plan', review),

    /** Has the API plan `reassignments` and shows it; from then on they are what is sent. */
    async makePlan(reassignments) {
      // What else moves, and throttles left behind, are warnings: the plan does not wait for them.
      const [plan, motion] = await Promise.all([
        api('POST', '/reassignments/plan', { reassignments }),
        api('GET', '/reassignments').catch((e) => ({ failed: e })),
      ]);
      wiz.reassignments = reassignments;
      wiz.plan = plan;
      showPlan(plan, motion);
    },

    /** The moves counted, in words, for the confirmation. */
    movesText: () => move.textContent,
  };
}

/** Every partition of the topics asked about, moved or not (the plan lists moves only). */
function planRows(wiz, plan) {
  const planned = new Map(plan.partitions.map((m) => [`${m.topic}|${m.partition}`, m]));
  const rows = [];
  for (const { topic } of wiz.reassignments) {
    for (const p of wiz.topics[topic]?.partitions ?? []) {
      const key = `${topic}|${p.partition}`;
      rows.push(planned.get(key) ?? { topic, partition: p.partition, replicas: p.replicas, target_replicas: p.replicas, bytes: 0 });
      planned.delete(key);
    }
  }
  rows.push(...planned.values());
  rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return rows;
}

/** Replicas to copy, partitions they are in, and partitions whose replicas are only reordered. */
function countMoves(rows) {
  const moves = { replicas: 0, partitions: 0, reordered: 0 };
  for (const r of rows) {
    const added = r.target_replicas.filter((id) => !r.replicas.includes(id)).length;
    const removed = r.replicas.filter((id) => !r.target_replicas.includes(id)).length;
    moves.replicas += added;
    if (added || removed) moves.partitions += 1;
    else if (r.replicas.join() !== r.target_replicas.join()) moves.reordered += 1;
  }
  return moves;
}

function fillPlacementRows(tbody, rows) {
  syncRows(tbody, rows, {
    key: (r) => `${r.topic}|${r.partition}`,
    make: () => makeRow('wizard-placement-row', 4),
    update: (tr, r) => {
      const changed = r.replicas.join() !== r.target_replicas.join();
      setData(tr, { topic: r.topic, partition: r.partition, changed: changed ? 'true' : 'false' });
      tr.classList.toggle('changed', changed);
      setCells(tr, [r.topic, r.partition, replicaChange(r.replicas, r.target_replicas), fmtBytes(r.bytes)]);
    },
    empty: emptyRow(4, 'Nothing to move.'),
  });
}

/**
 * Warnings from GET /reassignments (`motion`, or `{failed}` when it could not be read): moves
 * under way, those of the `selected` topics first, and throttles no running job owns.
 */
function motionWarnings(motion, selected) {
  const found = [];
  if (motion.failed) {
    found.push(warning(`Could not check what moves on the cluster now: ${motion.failed.message}`, { kind: 'unknown' }));
    return found;
  }
  const moving = [...motion.moving].sort((a, b) => Number(selected.has(b.topic)) - Number(selected.has(a.topic)));
  for (const m of moving) {
    const mine = selected.has(m.topic);
    found.push(warning(
      `${m.topic}-${m.partition} is being moved now (replicas ${m.replicas.join(', ')}; adding ${m.adding.join(', ') || 'none'}; removing ${m.removing.join(', ') || 'none'})`
        + (mine ? ': a job starting now is refused while it moves — wait, or schedule the job.' : '.'),
      { kind: 'moving', topic: m.topic, partition: m.partition, selected: mine ? 'true' : 'false' }, mine));
  }
  // One warning per broker or topic holding throttles no running job owns (a topic has up
  // to two: leader and follower replicas).
  const orphans = new Map();
  for (const t of motion.throttles.filter((throttle) => !throttle.jobs || throttle.jobs.length === 0)) {
    const key = `${t.resource}|${t.name}`;
    if (!orphans.has(key)) orphans.set(key, { resource: t.resource, name: t.name, settings: [] });
    orphans.get(key).settings.push(`${t.config}=${t.value}`);
  }
  for (const o of orphans.values()) {
    const where = o.resource === 'topic' ? `topic ${o.name}` : o.name ? `broker ${o.name}` : 'every broker (the default)';
    found.push(warning(`A replication throttle is left on ${where} (${o.settings.join(', ')}), and no running job owns it.`,
      { kind: 'throttle', resource: o.resource, name: o.name }));
  }
  return found;
}

function warning(text, data, strong = false) {
  const node = el('p', { class: strong ? 'warning strong' : 'warning', 'data-testid': 'wizard-warning', role: 'note' }, text);
  setData(node, data);
  return node;
}

function estimateText(e) {
  const parts = [`About ${fmtDuration(e.reassignment_time)} at ${fmtRate(e.rate)} per broker`];
  if (e.waves) parts.push(plural(e.waves, 'wave'));
  if (e.slowest_broker !== null && e.slowest_broker !== undefined) parts.push(`slowest broker ${e.slowest_broker}`);
  return `${parts.join(', ')} (${fmtBytes(e.bytes_to_move)}).`;
}

// Step 4: a replication throttle and when to start. The estimate follows the throttle as it is
// typed (once typing pauses).

function buildScheduleStep(page, wiz) {
  const throttle = el('input', { type: 'number', min: 0, step: 'any', 'data-testid': 'wizard-throttle', placeholder: 'none', 'aria-label': 'Throttle in MB/s' });
  const whenNow = el('input', { type: 'radio', name: 'wizard-when', value: 'now', checked: true, 'data-testid': 'wizard-when-now' });
  const whenLater = el('input', { type: 'radio', name: 'wizard-when', value: 'later', 'data-testid': 'wizard-when-later' });
  const executeAt = el('input', { type: 'datetime-local', 'data-testid': 'wizard-execute-at', 'aria-label': 'Start at (local time)' });
  const estimateThrottled = el('p', { 'data-testid': 'wizard-estimate-throttled' }, DASH);
  // Typing a start time means "later".
  executeAt.addEventListener('input', () => { if (executeAt.value) whenLater.checked = true; });
  let estimateTimer = null;
  page.onStop(() => clearTimeout(estimateTimer));
  throttle.addEventListener('input', () => {
    clearTimeout(estimateTimer);
    estimateTimer = setTimeout(() => reestimate(), 400);
  });

  /** Bytes per second, or null for none. */
  function readThrottle() {
    const text = throttle.value.trim();
    if (!text) return null;
    const mb = Number(text);
    if (!Number.isFinite(mb) || mb <= 0) throw new InputError('Throttle: give a positive number of MB/s, or leave it blank for none.');
    return Math.round(mb * 1e6);
  }

  /** Epoch ms to start at, or null for now. */
  function readSchedule() {
    if (!whenLater.checked) return null;
    if (!executeAt.value) throw new InputError('Give the time to start at, or start now.');
    const at = new Date(executeAt.value).getTime(); // datetime-local: local time
    if (Number.isNaN(at)) throw new InputError(`The start time "${executeAt.value}" is not a time.`);
    // A time already past would start the job at once, not as scheduled.
    if (at <= Date.now()) throw new InputError(`The start time ${fmtTime(at)} has passed: give a later one, or start now.`);
    return at;
  }

  async function reestimate() {
    const seq = ++wiz.estimateSeq;
    let bytesPerSecond;
    try {
      bytesPerSecond = readThrottle();
    } catch (e) {
      estimateThrottled.textContent = e.message;
      return;
    }
    estimateThrottled.textContent = 'Estimating…';
    setData(estimateThrottled, { seconds: null, rate: null, throttle: null });
    const body = { reassignments: wiz.reassignments };
    if (bytesPerSecond !== null) body.throttle = bytesPerSecond;
    try {
      const answer = await api('POST', '/reassignments/estimate', body);
      if (seq !== wiz.estimateSeq || !page.alive) return;
      estimateThrottled.textContent = estimateText(answer);
      setData(estimateThrottled, { seconds: answer.reassignment_time, rate: answer.rate, throttle: bytesPerSecond });
    } catch (e) {
      if (seq !== wiz.estimateSeq || !page.alive) return;
      estimateThrottled.textContent = 'No estimate.';
      showError(e);
    }
  }

  return {
    section: wizardSection(4, 'Throttle and schedule',
      el('label', {}, 'Replication throttle ', throttle, ' MB/s per broker ', el('span', { class: 'muted' }, '(blank: none)')),
      el('fieldset', {}, el('legend', {}, 'Start'),
        el('label', {}, whenNow, ' now'),
        el('label', {}, whenLater, ' at ', executeAt, el('span', { class: 'muted' }, ' (local time)'))),
      el('p', {}, 'Estimate with this throttle: '), estimateThrottled),
    readThrottle,
    readSchedule,
    reestimate,

    /** Estimates at once: the estimate confirmed is the one for the throttle given, not one
     * still waiting for typing to pause. */
    estimateNow() {
      clearTimeout(estimateTimer);
      return reestimate();
    },

    /** The estimate shown, for the confirmation. */
    estimateShown: () => estimateThrottled.textContent,
  };
}

// Step 5: what is about to be asked, and the button that asks it.

function buildConfirmStep(wiz, targetStep, reviewStep, scheduleStep) {
  const summary = el('dl', { class: 'summary summary-list' });
  const submit = el('button', { type: 'button', class: 'primary', 'data-testid': 'wizard-submit' }, 'Start the reassignment');
  return {
    section: wizardSection(5, 'Confirm', summary, el('p', {}, submit)),
    submit,

    /** Sums up the steps before, as they are now. */
    summarize() {
      const bytesPerSecond = scheduleStep.readThrottle();
      const at = scheduleStep.readSchedule();
      const target = targetStep.describe();
      fill(summary,
        fact('Topics', wiz.reassignments.map((r) => r.topic).join(', '), 'topics'),
        fact('Target', target, 'target'),
        fact('Moves', reviewStep.movesText(), 'moves'),
        fact('Bytes', fmtBytes(wiz.plan.bytes_to_move), 'bytes'),
        fact('Throttle', bytesPerSecond === null ? 'none' : fmtRate(bytesPerSecond), 'throttle'),
        fact('Start', at === null ? 'now' : fmtTime(at), 'start'),
        fact('Estimate', scheduleStep.estimateShown(), 'estimate'));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Jobs: the list (filtered by state here) and one job, with its controls, chart and tasks.

/** Percent done: by bytes when there are any, else by partitions. */
function jobPercent(job) {
  if (job.state === 'COMPLETED') return 100;
  let ratio = 0;
  if (job.bytes_total > 0) ratio = job.bytes_moved / job.bytes_total;
  else if (job.partition_count > 0) ratio = job.partitions_done / job.partition_count;
  return Math.max(0, Math.min(100, Math.floor(ratio * 100)));
}

function progressBar(testid) {
  const fillRect = svg('rect', { x: 0, y: 0, width: 0, height: 10, class: 'progress-fill' });
  const bar = el('div', {
    class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
    'aria-label': 'Progress', 'data-testid': testid,
  },
  svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', class: 'progress-svg' },
    svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'progress-track' }), fillRect),
  el('span', { class: 'progress-label' }, '0%'));
  bar.adminwireFill = fillRect;
  return bar;
}

function setProgress(bar, percent, state) {
  bar.setAttribute('aria-valuenow', String(percent));
  bar.setAttribute('aria-valuetext', `${percent}%${state ? ` (${state})` : ''}`);
  bar.adminwireFill.setAttribute('width', String(percent));
  bar.adminwireFill.setAttribute('class', `progress-fill${state ? ` progress-${state}` : ''}`);
  bar.querySelector('.progress-label').textContent = `${percent}%`;
}

function renderJobs(page, main) {
  const filter = el('select', { 'data-testid': 'job-filter', 'aria-label': 'Show jobs in state' },
    el('option', { value: '' }, 'All states'),
    JOB_STATES.map((s) => el('option', { value: s }, s)),
    el('option', { value: 'ACTIVE' }, 'Not ended'),
    el('option', { value: 'ENDED' }, 'Ended'));
  const rows = el('tbody');
  let all = [];
  const wanted = (state) => {
    const want = filter.value;
    return want === '' || want === state || (want === 'ENDED' && ENDED.has(state)) || (want === 'ACTIVE' && !ENDED.has(state));
  };
  // Filtered here, from the jobs last fetched: rows of other states are not in the table.
  const show = () => syncRows(rows, all.filter((j) => wanted(j.state)), {
    key: (j) => j.job_id,
    make: () => {
      const tr = makeRow('job-row', 10);
      tr.adminwireBar = progressBar('job-progress');
      return tr;
    },
    update: fillJobRow,
    empty: emptyRow(10, filter.value ? 'No job in that state.' : 'No job.'),
  });
  filter.addEventListener('change', show);

  main.append(
    el('h1', {}, 'Reassignment jobs'),
    el('p', { class: 'toolbar' }, el('label', {}, 'State ', filter), ' ', el('a', { href: '#/reassign' }, 'New reassignment…')),
    table('jobs-table', ['Job', 'Kind', 'State', 'Progress', 'Moved', 'Left', 'ETA', 'Throttle', 'Scheduled', 'Requested by'], rows));

  page.live(async () => {
    // Newest first (ids begin with their creation time).
    all = Object.values((await api('GET', '/jobs?expand=status')) ?? {})
      .sort((a, b) => (b.created_ms ?? 0) - (a.created_ms ?? 0) || b.job_id.localeCompare(a.job_id));
    show();
  });
}

function fillJobRow(tr, j) {
  setData(tr, { 'job-id': j.job_id, state: j.state });
  setProgress(tr.adminwireBar, jobPercent(j), j.state);
  setCells(tr, [
    el('a', { href: `#/jobs/${seg(j.job_id)}`, class: 'mono' }, j.job_id),
    'reassignment',
    stateBadge(j.state),
    tr.adminwireBar,
    `${fmtBytes(j.bytes_moved)} of ${fmtBytes(j.bytes_total)}`,
    fmtBytes(Math.max(0, j.bytes_total - j.bytes_moved)),
    ENDED.has(j.state) ? DASH : fmtDuration(j.eta_seconds),
    fmtRate(j.throttle),
    timeNode(j.execute_at),
    j.requested_by ?? DASH,
  ]);
}

/** Bytes moved over time, sampled at each refresh and kept for the tab's life. */
function loadSamples(id) {
  try {
    const samples = JSON.parse(sessionStorage.getItem(SAMPLES_KEY + id) ?? '[]');
    return Array.isArray(samples) ? samples.filter((s) => Array.isArray(s) && s.length === 2) : [];
  } catch {
    return [];
  }
}

/** Notes `id` as the job sampled last, forgetting the curves of the oldest beyond SAMPLED_JOBS. */
function keepSampled(id) {
  let ids;
  try {
    ids = JSON.parse(sessionStorage.getItem(SAMPLED_KEY) ?? '[]');
  } catch {
    ids = [];
  }
  if (!Array.isArray(ids)) ids = [];
  ids = ids.filter((other) => other !== id);
  ids.push(id);
  while (ids.length > SAMPLED_JOBS) sessionStorage.removeItem(SAMPLES_KEY + ids.shift());
  sessionStorage.setItem(SAMPLED_KEY, JSON.stringify(ids));
}

function recordSample(job) {
  let samples = loadSamples(job.job_id);
  const last = samples[samples.length - 1];
  // An ended job stops moving: one last sample is enough.
  if (last && ENDED.has(job.state) && last[1] === job.bytes_moved) return samples;
  samples.push([Date.now(), job.bytes_moved]);
  if (samples.length > MAX_SAMPLES) {
    // Thin out rather than drop: the chart keeps the job's whole span.
    samples = samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1);
  }
  try {
    keepSampled(job.job_id);
    sessionStorage.setItem(SAMPLES_KEY + job.job_id, JSON.stringify(samples));
  } catch {
    // Storage full: the chart still shows this page's samples.
  }
  return samples;
}

function drawJobChart(node, samples, total) {
  const W = 640;
  const H = 220;
  const m = { l: 70, r: 16, t: 16, b: 30 };
  fill(node, svg('title', {}, 'Bytes moved over time'));
  if (!samples.length) {
    node.append(svg('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'No samples yet'));
    return;
  }
  const t0 = samples[0][0];
  const t1 = Math.max(samples[samples.length - 1][0], t0 + 1000);
  const top = Math.max(total || 0, ...samples.map((s) => s[1]), 1);
  const x = (t) => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
  const y = (v) => H - m.b - (v / top) * (H - m.t - m.b);
  node.append(
    svg('line', { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0), class: 'axis' }),
    svg('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }),
    svg('text', { x: m.l - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, '0'),
    svg('text', { x: m.l - 6, y: y(top) + 4, 'text-anchor': 'end', class: 'tick' }, fmtBytes(top)),
    svg('text', { x: m.l, y: H - 8, 'text-anchor': 'start', class: 'tick' }, fmtClock(t0)),
    svg('text', { x: W - m.r, y: H - 8, 'text-anchor': 'end', class: 'tick' }, fmtClock(t1)));
  if (total > 0) {
    node.append(
      svg('line', { x1: m.l, x2: W - m.r, y1: y(total), y2: y(total), class: 'total' }),
      svg('text', { x: W - m.r, y: y(total) - 4, 'text-anchor': 'end', class: 'tick' }, `total ${fmtBytes(total)}`));
  }
  const points = samples.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const [lt, lv] = samples[samples.length - 1];
  node.append(
    svg('polyline', { points, class: 'line' }),
    svg('circle', { cx: x(lt).toFixed(1), cy: y(lv).toFixed(1), r: 3.5, class: 'dot' },
      svg('title', {}, `${fmtBytes(lv)} at ${fmtTime(lt)}`)));
}

function renderJob(page, main, id) {
  const path = `/jobs/${seg(id)}`;
  const state = stateBadge(null);
  state.setAttribute('data-testid', 'job-state');
  const bar = progressBar('job-progress');
  const moved = bytesNode(null, 'job-bytes-moved');
  const left = bytesNode(null, 'job-bytes-left');
  const eta = el('span', { 'data-testid': 'job-eta' }, DASH);
  const facts = el('dl', { class: 'summary summary-list' });
  const errorLine = el('p', { class: 'warning', 'data-testid': 'job-error', hidden: true });
  const chart = svg('svg', { 'data-testid': 'job-chart', class: 'chart', viewBox: '0 0 640 220', role: 'img', 'aria-label': 'Bytes moved over time' });
  const taskRows = el('tbody');
  const controls = jobControls(page, id, path);

  main.append(el('div', { 'data-testid': 'job-detail', 'data-job-id': id },
    el('p', { class: 'crumbs' }, el('a', { href: '#/jobs' }, 'Jobs'), ' / '),
    el('h1', {}, 'Job ', el('span', { class: 'mono' }, id)),
    el('div', { class: 'job-head' },
      el('p', {}, 'State ', state),
      bar,
      el('p', {}, 'Moved ', moved, ' · left ', left, ' · ETA ', eta)),
    errorLine,
    el('p', { class: 'toolbar' }, controls.buttons),
    facts,
    section('Bytes moved', el('figure', { class: 'chart-figure' }, chart,
      el('figcaption', { class: 'muted' }, 'Sampled by this page every two seconds while it is open (kept for this tab).'))),
    section('Partitions', table('tasks-table', ['Topic', 'Partition', 'Replicas from → to', 'State', 'Bytes', 'Reason'], taskRows))));
  drawJobChart(chart, loadSamples(id), 0);

  page.live(async () => {
    const job = await api('GET', `${path}/status`);
    state.textContent = job.state;
    state.className = stateClass(job.state);
    setData(state, { state: job.state });
    controls.enableFor(job.state);
    setProgress(bar, jobPercent(job), job.state);
    const remaining = Math.max(0, job.bytes_total - job.bytes_moved);
    moved.textContent = fmtBytes(job.bytes_moved);
    setData(moved, { bytes: job.bytes_moved });
    left.textContent = fmtBytes(remaining);
    setData(left, { bytes: remaining });
    eta.textContent = ENDED.has(job.state) ? DASH : fmtDuration(job.eta_seconds);
    setData(eta, { seconds: job.eta_seconds });
    errorLine.hidden = !job.error;
    errorLine.textContent = job.error ?? '';
    fillJobFacts(facts, job);
    drawJobChart(chart, recordSample(job), job.bytes_total);
    fillTaskRows(taskRows, job.tasks);
  }, { stopOn404: true });
}

/**
 * A job's buttons (pause, resume, cancel, retry, restart, delete), in toolbar order, each doing
 * its action on the job at `path`; `enableFor(state)` enables those the job's state allows.
 */
function jobControls(page, id, path) {
  const button = (testid, text, cls) => el('button', { type: 'button', 'data-testid': testid, class: cls ?? null, disabled: true }, text);
  const pause = button('job-pause', 'Pause');
  const resume = button('job-resume', 'Resume');
  const cancel = button('job-cancel', 'Cancel…', 'danger');
  const retry = button('job-retry', 'Retry failed');
  const restart = button('job-restart', 'Restart all not done');
  const remove = button('job-delete', 'Delete record…', 'danger');

  pause.addEventListener('click', () => act(pause, async () => {
    const r = await api('PUT', `${path}/pause`);
    showNotice(`Pause requested (the job was ${r.state}): moves under way finish, no new one starts.`);
    await page.refresh();
  }));
  resume.addEventListener('click', () => act(resume, async () => {
    const r = await api('PUT', `${path}/resume`);
    showNotice(`Resume requested (the job was ${r.state}).`);
    await page.refresh();
  }));
  cancel.addEventListener('click', () => act(cancel, async () => {
    const ok = await confirmDialog({
      title: 'Cancel job',
      message: `Cancel job ${id}? Moves under way are reverted; partitions already moved stay where they are.`,
      okLabel: 'Cancel the job',
    });
    if (!ok) return;
    const r = await api('PUT', `${path}/stop`);
    showNotice(`Cancel requested (the job was ${r.state}).`);
    await page.refresh();
  }));
  const restartWith = (onlyFailed) => async () => {
    const r = await api('POST', `${path}/restart${onlyFailed ? '?onlyFailed=true' : ''}`);
    showNotice(r.retried
      ? `${plural(r.retried, 'partition')} moving again; the job is ${r.state}.`
      : `Nothing to retry${onlyFailed ? ': no partition failed' : ''}; the job stays ${r.state}.`);
    await page.refresh();
  };
  retry.addEventListener('click', () => act(retry, restartWith(true)));
  restart.addEventListener('click', () => act(restart, restartWith(false)));
  remove.addEventListener('click', () => act(remove, async () => {
    const ok = await confirmDialog({
      title: 'Delete job record',
      message: `Delete the record of job ${id}? Its partitions stay where they are.`,
      okLabel: 'Delete',
    });
    if (!ok) return;
    await api('DELETE', path);
    sessionStorage.removeItem(SAMPLES_KEY + id);
    navigate('#/jobs', 'Job deleted');
  }));

  return {
    buttons: [pause, resume, cancel, retry, restart, remove],

    /** Which controls the API takes in each state (others would be a 409). */
    enableFor(s) {
      const ended = ENDED.has(s);
      pause.disabled = !(s === 'RUNNING' || s === 'SCHEDULED');
      resume.disabled = s !== 'PAUSED';
      cancel.disabled = ended || !s;
      retry.disabled = !ended;
      restart.disabled = !ended;
      remove.disabled = !ended;
    },
  };
}

function fillJobFacts(facts, job) {
  fill(facts,
    fact('Kind', 'reassignment', 'kind'),
    fact('Partitions done', `${job.partitions_done} of ${job.partition_count}`, 'partitions_done'),
    fact('Total', fmtBytes(job.bytes_total), 'bytes_total'),
    fact('Throttle', fmtRate(job.throttle), 'throttle'),
    fact('Requested by', job.requested_by, 'requested_by'),
    fact('Created', timeNode(job.created_ms), 'created_ms'),
    fact('Scheduled for', timeNode(job.execute_at), 'execute_at'),
    fact('Started', timeNode(job.started_ms), 'started_ms'),
    job.started_late_ms ? fact('Started late by', fmtDuration(job.started_late_ms / 1000), 'started_late_ms', true) : null,
    fact('Finished', timeNode(job.finished_ms), 'finished_ms'),
    job.cleanup_pending ? fact('Throttles', 'still to be taken off', 'cleanup_pending', true) : null);
}

function fillTaskRows(tbody, tasks) {
  const sorted = [...(tasks ?? [])].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  syncRows(tbody, sorted, {
    key: (t) => `${t.topic}|${t.partition}`,
    make: () => makeRow('task-row', 6),
    update: (tr, t) => {
      setData(tr, { state: t.state, topic: t.topic, partition: t.partition });
      setCells(tr, [topicLink(t.topic), t.partition, replicaChange(t.replicas, t.target_replicas), stateBadge(t.state),
        `${fmtBytes(t.bytes_moved)} of ${fmtBytes(t.bytes_total)}`, t.reason ?? '']);
    },
    empty: emptyRow(6, 'No partition to move.'),
  });
}

// ---------------------------------------------------------------------------------------------
// Cluster links: one card per link; a link's mirrors (promotion), groups, copies and clients.

function renderLinks(page, main) {
  const cards = el('div', { class: 'cards' });
  main.append(el('h1', {}, 'Cluster links'),
    el('p', { class: 'muted' }, 'Links copy topics of another cluster here, and carry groups\' offsets over (docs/migration.md).'),
    cards);
  page.live(async () => {
    const links = Object.values(await api('GET', '/links?expand=status') ?? {});
    links.sort((a, b) => a.link_id.localeCompare(b.link_id));
    syncRows(cards, links, {
      key: (l) => l.link_id,
      make: () => el('article', { class: 'card', 'data-testid': 'link-card' }),
      update: (card, l) => {
        setData(card, { 'link-id': l.link_id, state: l.state ?? '' });
        const promoted = l.mirrors.filter((m) => m.state === 'PROMOTED').length;
        const moved = l.groups.filter((g) => g.phase === 'MOVED').length;
        const lag = l.mirrors.reduce((sum, m) => sum + (m.lag ?? 0), 0);
        const content = [
          el('h2', {}, el('a', { href: `#/links/${seg(l.link_id)}`, 'data-testid': 'link-open' }, l.link_id)),
          el('p', {}, stateBadge(l.state ?? 'PENDING'), l.paused ? ' paused' : ''),
          el('dl', { class: 'summary summary-list' },
            fact('Source', l.source_bootstrap.join(', '), 'source_bootstrap'),
            fact('Mirrors', `${l.mirrors.length} (${promoted} promoted)`, 'mirrors'),
            fact('Lag', `${lag} records`, 'lag'),
            fact('Groups', `${l.groups.length} (${moved} handed over)`, 'groups')),
          l.error ? el('p', { class: 'warning' }, l.error) : null,
        ];
        const sig = signature(content);
        if (card.adminwireSignature === sig) return;
        card.adminwireSignature = sig;
        fill(card, content);
      },
      empty: () => el('p', { class: 'muted empty' }, 'No cluster link. Make one with PUT /links/{id} (docs/rest.md).'),
    });
  });
}

function renderLink(page, main, id) {
  const path = `/links/${seg(id)}`;
  const state = stateBadge(null);
  state.setAttribute('data-testid', 'link-state');
  const facts = el('dl', { class: 'summary summary-list' });
  const errorLine = el('p', { class: 'warning', hidden: true });
  const mirrorRows = el('tbody');
  const groupRows = el('tbody');
  const copyRows = el('tbody');
  const producerRows = el('tbody');

  const pause = el('button', { type: 'button', 'data-testid': 'link-pause' }, 'Pause');
  const resume = el('button', { type: 'button', 'data-testid': 'link-resume' }, 'Resume');
  pause.addEventListener('click', () => act(pause, async () => {
    await api('PUT', `${path}/pause`);
    showNotice('Pause requested');
    await page.refresh();
  }));
  resume.addEventListener('click', () => act(resume, async () => {
    await api('PUT', `${path}/resume`);
    showNotice('Resume requested');
    await page.refresh();
  }));

  /** Promotes mirror `topic`, once confirmed (`force`: even with producers or groups of it still on the source). */
  const promote = (button, topic, force) => act(button, async () => {
    const ok = await confirmDialog({
      title: force ? 'Promote anyway' : 'Promote mirror',
      message: force
        ? `Promote mirror ${topic} of link ${id} even though producers or groups of it are still on the source? Their writes there are not copied any more.`
        : `Promote mirror ${topic} of link ${id}? It becomes an ordinary, writable topic once everything is copied and the source has stopped growing.`,
      okLabel: force ? 'Promote anyway' : 'Promote',
    });
    if (!ok) return;
    await api('POST', `${path}/mirrors/${seg(topic)}/promote${force ? '?force=true' : ''}`);
    showNotice(`Promotion of ${topic} requested`);
    await page.refresh();
  });

  /** Hands `group` over to this cluster or back to the source (`action`: `hand-over` or `hand-back`), once confirmed. */
  const handGroup = (button, group, action) => act(button, async () => {
    const over = action === 'hand-over';
    const ok = await confirmDialog({
      title: over ? 'Hand over group' : 'Hand back group',
      message: over
        ? `Hand group ${group} over to this cluster now, without waiting for its source group to be empty?`
        : `Hand group ${group} back to the source? Its offsets here are carried back once no member is left here.`,
      okLabel: over ? 'Hand over' : 'Hand back',
    });
    if (!ok) return;
    await api('PUT', `${path}/groups/${seg(group)}/${action}`);
    showNotice(`${over ? 'Hand-over' : 'Hand-back'} of ${group} requested`);
    await page.refresh();
  });

  main.append(el('div', { 'data-testid': 'link-detail', 'data-link-id': id },
    el('p', { class: 'crumbs' }, el('a', { href: '#/links' }, 'Links'), ' / '),
    el('h1', {}, 'Link ', el('span', { class: 'name' }, id)),
    el('p', {}, 'State ', state, ' ', pause, ' ', resume),
    errorLine,
    facts,
    section('Mirror topics',
      table('mirrors-table', ['Topic', 'State', 'Partitions', 'Lag', 'Lag bytes', 'Writers on the source', 'Clients switched', 'Promoted', ''], mirrorRows)),
    section('Consumer groups',
      table('groups-table', ['Group', 'Phase', 'Handed over', 'Offsets here', 'Carried over', 'Waiting', 'Members on the source', 'Held here', ''], groupRows)),
    section('Copies',
      table('copies-table', ['Topic', 'Partition', 'Offsets', 'Source next / end', 'Target next', 'Lag', 'Records', 'Bytes', 'Lost'], copyRows)),
    section('Producers',
      el('p', { class: 'muted' }, 'Clients whose writes to a mirror a sidecar routed (switched), and producers still writing to its source directly.'),
      table('producers-table', ['Topic', 'Kind', 'Client', 'Where', 'Records', 'Last seen'], producerRows))));

  page.live(async () => {
    const link = await api('GET', `${path}/status`);
    state.textContent = link.state ?? 'PENDING';
    state.className = stateClass(link.state ?? 'PENDING');
    setData(state, { state: link.state ?? '' });
    pause.disabled = link.paused;
    resume.disabled = !link.paused;
    errorLine.hidden = !link.error;
    errorLine.textContent = link.error ?? '';
    fillLinkFacts(facts, link);
    fillMirrorRows(mirrorRows, link.mirrors, promote);
    fillGroupRows(groupRows, link.groups, handGroup);
    fillCopyRows(copyRows, link.mirrors);
    fillProducerRows(producerRows, link.mirrors);
  }, { stopOn404: true });
}

function fillLinkFacts(facts, link) {
  fill(facts,
    fact('Source', link.source_bootstrap.join(', '), 'source_bootstrap'),
    fact('Source cluster', link.source_cluster_id, 'source_cluster_id'),
    fact('Source user', link.source_username ?? 'none', 'source_username'),
    fact('Start position', /^\d+$/.test(link.start_position) ? timeNode(Number(link.start_position)) : link.start_position, 'start_position'),
    fact('Created', timeNode(link.created_ms), 'created_ms'),
    fact('Requested by', link.requested_by, 'requested_by'));
}

/** A row per mirror topic, its buttons calling `promote(button, topic, force)`. */
function fillMirrorRows(tbody, mirrors, promote) {
  syncRows(tbody, mirrors, {
    key: (m) => m.topic,
    make: () => {
      const normal = el('button', { type: 'button', class: 'small', 'data-testid': 'mirror-promote' }, 'Promote…');
      const force = el('button', { type: 'button', class: 'small danger', 'data-testid': 'mirror-promote-force' }, 'Promote anyway…');
      const tr = makeRow('mirror-row', 8, normal, force);
      normal.addEventListener('click', () => promote(normal, tr.dataset.topic, false));
      force.addEventListener('click', () => promote(force, tr.dataset.topic, true));
      return tr;
    },
    update: (tr, m) => {
      setData(tr, { topic: m.topic, state: m.state, lag: m.lag });
      const promoted = m.state === 'PROMOTED';
      for (const b of tr.querySelectorAll('button')) b.disabled = promoted;
      const writers = m.source_writers.length + (m.unrouted_records ? ` (+${m.unrouted_records} records without a producer id)` : '')
        + (m.writers_watched ? '' : ' (still watching)');
      setCells(tr, [m.topic, m.error ? [stateBadge(m.state), ' ', m.error] : stateBadge(m.state), m.partition_count, m.lag,
        m.lag_bytes === null ? DASH : fmtBytes(m.lag_bytes), writers, m.switched.length,
        m.promoted_ms ? [timeNode(m.promoted_ms), m.not_copied ? ` (${m.not_copied} records not copied)` : ''] : DASH]);
    },
    empty: emptyRow(9, 'No mirror topic.'),
  });
}

/** A row per consumer group carried over, its buttons calling `handGroup(button, group, action)`. */
function fillGroupRows(tbody, groups, handGroup) {
  syncRows(tbody, groups, {
    key: (g) => g.group,
    make: () => {
      const over = el('button', { type: 'button', class: 'small', 'data-testid': 'group-hand-over' }, 'Hand over…');
      const back = el('button', { type: 'button', class: 'small', 'data-testid': 'group-hand-back' }, 'Hand back…');
      const tr = makeRow('group-row', 8, over, back);
      over.addEventListener('click', () => handGroup(over, tr.dataset.group, 'hand-over'));
      back.addEventListener('click', () => handGroup(back, tr.dataset.group, 'hand-back'));
      return tr;
    },
    update: (tr, g) => {
      const moved = g.phase === 'MOVED';
      setData(tr, { group: g.group, phase: g.phase, 'handed-over': moved ? 'true' : 'false' });
      // A group named "." or ".." cannot be a path segment (URLs drop dot segments, even
      // escaped): its hand-over is for the wire protocol or the CLI.
      const unaddressable = g.group === '.' || g.group === '..';
      for (const button of tr.querySelectorAll('button')) {
        button.title = unaddressable ? 'A group named "." or ".." cannot be named in a URL: use the CLI.' : '';
      }
      tr.querySelector('[data-testid="group-hand-over"]').disabled = unaddressable || g.phase !== 'ON_SOURCE';
      tr.querySelector('[data-testid="group-hand-back"]').disabled = unaddressable || !moved;
      const offsets = Object.entries(g.offsets);
      const held = g.held ? `${g.held.client_id} from ${g.held.address}${g.held.software ? ` (${g.held.software})` : ''}` : DASH;
      setCells(tr, [g.group, g.phase, moved ? ['yes, ', timeNode(g.moved_ms)] : 'no',
        offsets.length ? el('span', { title: offsets.map(([k, v]) => `${k}: ${v}`).join('\n') },
          `${plural(offsets.length, 'partition')}: ${offsets.slice(0, 4).map(([k, v]) => `${k}=${v}`).join(', ')}${offsets.length > 4 ? ', …' : ''}`) : 'none',
        timeNode(g.synced_ms), g.waiting ?? DASH,
        g.source_members.length ? g.source_members.map((s) => `${s.client_id} (${s.host})`).join(', ') : 'none',
        held]);
    },
    empty: emptyRow(9, 'No group carried over.'),
  });
}

/** A row per partition of every mirror: how far its copy has come. */
function fillCopyRows(tbody, mirrors) {
  const copies = mirrors.flatMap((m) => (m.partitions ?? []).map((p) => ({ topic: m.topic, ...p })));
  syncRows(tbody, copies, {
    key: (c) => `${c.topic}|${c.partition}`,
    make: () => makeRow('copy-row', 9),
    update: (tr, c) => {
      setData(tr, { topic: c.topic, partition: c.partition, offsets: c.offsets, lag: c.lag });
      const offsets = c.offsets === 'SHIFTED' ? `SHIFTED by ${c.shift}` : c.offsets === 'MAPPED' ? `MAPPED in ${plural(c.runs, 'run')}` : c.offsets;
      setCells(tr, [c.topic, c.partition, offsets, `${c.source_next} / ${c.source_end}`, c.target_next,
        c.lag_bytes === null ? c.lag : `${c.lag} (${fmtBytes(c.lag_bytes)})`, c.records, fmtBytes(c.bytes), c.lost]);
      tr.classList.toggle('bad', c.lost > 0);
    },
    empty: emptyRow(9, 'No partition copied yet.'),
  });
}

/** A row per client switched to a mirror, then per producer still writing to its source. */
function fillProducerRows(tbody, mirrors) {
  const producers = mirrors.flatMap((m) => [
    ...m.switched.map((c) => ({ kind: 'switched', topic: m.topic, key: `s|${m.topic}|${c.client_id}|${c.host}`, client: c.client_id,
      where: [c.host, c.principal, c.software].filter(Boolean).join(' · '), records: DASH, last: c.last_ms })),
    ...m.source_writers.map((w) => ({ kind: 'on source', topic: m.topic, key: `w|${m.topic}|${w.producer_id}`, client: `producer id ${w.producer_id}`,
      where: 'writes to the source directly', records: w.records, last: w.last_ms })),
  ]);
  syncRows(tbody, producers, {
    key: (c) => c.key,
    make: (c) => makeRow(c.kind === 'switched' ? 'switched-row' : 'writer-row', 6),
    update: (tr, c) => {
      setData(tr, { topic: c.topic, kind: c.kind === 'switched' ? 'switched' : 'source' });
      setCells(tr, [c.topic, c.kind, c.client, c.where, c.records, timeNode(c.last)]);
    },
    empty: emptyRow(6, 'No producer seen.'),
  });
}

// ---------------------------------------------------------------------------------------------

function start() {
  setUpConfirm();
  setUpLogin();
  for (const id of ['error', 'notice']) {
    const box = byTestId(id);
    box.querySelector('.dismiss').addEventListener('click', () => (id === 'error' ? clearError() : clearNotice()));
  }
  showWhoami();
  window.addEventListener('hashchange', router);
  router();
}

start();
