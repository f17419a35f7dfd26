// The Dokkaa console: one page, no build step. It follows /api/events (server-sent events from the etcd
// watch) and re-renders from each snapshot; changes go through the same API as every other client.
'use strict';

const ui = {
  snapshot: null,      // the last ClusterSnapshot
  beats: {},           // host name -> HostHeartbeat (from heartbeat events)
  clockOffset: 0,      // server time - local time, in ms
  token: null,
  editing: null,       // { app, name, isNew }
  removing: null,      // { app, name }
  afterToken: null,    // the change to retry once a token is given
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// .NET writes 7 fractional digits; Date.parse is only sure of 3.
function parseTime(text) {
  if (!text) return NaN;
  return Date.parse(String(text).replace(/(\.\d{3})\d+/, '$1'));
}

function ago(seconds) {
  if (!isFinite(seconds)) return '?';
  seconds = Math.max(0, Math.round(seconds));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

function serverNow() { return Date.now() + ui.clockOffset; }

function noteServerTime(text) {
  const t = parseTime(text);
  if (isFinite(t)) ui.clockOffset = t - Date.now();
}

// ---- token ---------------------------------------------------------------------------------------------

function loadToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    ui.token = decodeURIComponent(match[1]);
    sessionStorage.setItem('dokkaa-token', ui.token);
    // Keep the token out of the address bar (and out of screenshots and shared links).
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    ui.token = sessionStorage.getItem('dokkaa-token');
  }
}

function askForToken(message, retry) {
  ui.afterToken = retry || null;
  $('token-text').textContent = message ||
    'Changes need the token that dokkaa console printed when it started (or was given with --token).';
  $('token-input').value = '';
  $('token-dialog').showModal();
  $('token-input').focus();
}

function saveToken() {
  const value = $('token-input').value.trim();
  if (!value) return;
  ui.token = value;
  sessionStorage.setItem('dokkaa-token', value);
  $('token-dialog').close();
  const retry = ui.afterToken;
  ui.afterToken = null;
  if (retry) retry();
}

// ---- API -----------------------------------------------------------------------------------------------

function headers(extra) {
  const h = Object.assign({}, extra);
  if (ui.token) h.Authorization = `Bearer ${ui.token}`;
  return h;
}

function manifestPath(app, name) {
  return `/api/apps/${encodeURIComponent(app)}/${encodeURIComponent(name)}/manifest`;
}

// Sends a change; resolves to { ok, status, body }. A 401 asks for the token and retries the same change.
async function change(method, path, body, retry) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body,
    cache: 'no-store',
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (response.status === 401) {
    askForToken(ui.token
      ? 'That token was refused. Enter the token dokkaa console printed when it started.'
      : 'This change needs the console\'s token (printed by dokkaa console when it started).', retry);
  }
  return { ok: response.ok, status: response.status, body: parsed };
}

function toast(message, bad) {
  const node = $('toast');
  node.textContent = message;
  node.className = bad ? 'bad' : '';
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, bad ? 8000 : 3000);
}

function problemText(result) {
  const p = result.body;
  if (!p) return `HTTP ${result.status}`;
  const errors = (p.errors || []).map(e => `${e.path}: ${e.message}`).join('; ');
  return errors || p.detail || p.title || `HTTP ${result.status}`;
}

// ---- the event stream ----------------------------------------------------------------------------------

function setConnection(state, text) {
  const node = $('connection');
  node.dataset.state = state;
  node.textContent = text;
}

async function follow() {
  let delay = 500;
  for (;;) {
    try {
      const response = await fetch('/api/events', { headers: headers({ Accept: 'text/event-stream' }), cache: 'no-store' });
      if (response.status === 401) {
        setConnection('down', 'token needed');
        askForToken('Reading this cluster from another machine, or under a name other than localhost, needs the console\'s token.', () => {});
        await new Promise(resolve => setTimeout(resolve, 3000));
        continue;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setConnection('live', 'live');
      delay = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          dispatch(block);
        }
      }
      throw new Error('stream ended');
    } catch (e) {
      setConnection('down', 'reconnecting…');
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

function dispatch(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return;
  const payload = JSON.parse(data.join('\n'));
  if (event === 'snapshot') {
    ui.snapshot = payload;
    noteServerTime(payload.serverTime);
    render();
  } else if (event === 'heartbeat') {
    ui.beats = payload.hosts || {};
    noteServerTime(payload.serverTime);
    renderHeartbeats();
  }
}

// ---- rendering -----------------------------------------------------------------------------------------

function render() {
  const snap = ui.snapshot;
  if (!snap) return;
  $('revision').textContent = `etcd revision ${snap.revision}`;
  renderHosts(snap.hosts);
  renderApps(snap.apps);
}

function renderHosts(hosts) {
  const body = $('hosts').tBodies[0];
  body.replaceChildren(...hosts.map(h => el('tr', { class: 'host', 'data-host': h.name },
    el('td', {},
      el('strong', { class: 'name', text: h.name }),
      h.draining ? el('span', { class: 'badge warn', text: 'draining' }) : null,
      el('div', { class: 'muted', text: `agent ${h.agentVersion}` + (h.capacity ? ` · capacity ${h.capacity}` : '') })),
    el('td', { class: 'address mono', text: h.address }),
    el('td', {}, el('span', { class: 'heartbeat', 'data-host': h.name })),
    el('td', {},
      el('span', { class: 'container-count', text: `${h.instances} container${h.instances === 1 ? '' : 's'}` }),
      el('ul', { class: 'containers' }, h.containers.map(c => el('li', { class: 'mono', text: c })))))));
  $('hosts-empty').hidden = hosts.length > 0;
  $('host-count').textContent = `(${hosts.length})`;
  renderHeartbeats();
}

function renderHeartbeats() {
  const hosts = ui.snapshot ? ui.snapshot.hosts : [];
  for (const node of document.querySelectorAll('#hosts .heartbeat')) {
    const host = hosts.find(h => h.name === node.dataset.host);
    if (!host) continue;
    const beat = ui.beats[host.name] || host.heartbeat;
    if (beat) {
      const age = (serverNow() - parseTime(beat.lastBeatAt)) / 1000;
      node.textContent = `${ago(age)} · lease ${beat.ttlSeconds}s`;
      node.className = `heartbeat ${age > beat.ttlSeconds ? 'late' : 'ok'}`;
      node.title = `lease renewed ${ago(age)}; ${beat.remainingSeconds}s of ${beat.ttlSeconds}s were left when measured`;
    } else {
      const age = (serverNow() - parseTime(host.registeredAt)) / 1000;
      node.textContent = `registered ${ago(age)}`;
      node.className = 'heartbeat unknown';
      node.title = 'no lease information (yet)';
    }
  }
}

function renderApps(apps) {
  const body = $('apps').tBodies[0];
  body.replaceChildren(...apps.map(appRow));
  $('apps-empty').hidden = apps.length > 0;
  $('app-count').textContent = `(${apps.length})`;
}

function appRow(a) {
  const id = `${a.app}/${a.name}`;
  const converged = a.running === a.desired && a.pending === 0 && a.outdated === 0;
  const problems = [];
  for (const e of a.errors) problems.push(`${e.path}: ${e.message}`);
  for (const p of a.problems) if (!p.startsWith('manifest: ')) problems.push(p);
  return el('tr', { class: 'app', 'data-app': a.app, 'data-name': a.name },
    el('td', {},
      el('strong', { class: 'id', text: id }),
      a.valid ? null : el('span', { class: 'badge bad', text: 'invalid' }),
      problems.length ? el('ul', { class: 'problems' }, problems.map(p => el('li', { text: p }))) : null),
    el('td', { class: 'image mono', text: a.image || '—' }),
    el('td', { class: 'num' },
      el('span', { class: `counts ${converged ? 'converged' : 'behind'}` },
        el('span', { class: 'running', text: a.running }), ' / ', el('span', { class: 'desired-count', text: a.desired })),
      a.pending ? el('div', { class: 'muted pending', text: `${a.pending} pending` }) : null,
      a.outdated ? el('div', { class: 'muted', text: `${a.outdated} outdated` }) : null),
    el('td', {},
      el('span', { class: 'scale' },
        el('button', { type: 'button', class: 'secondary scale-down', title: `scale ${id} down`, 'aria-label': `scale ${id} down`,
          disabled: !a.valid || a.desired === 0, onclick: () => scale(a.app, a.name, a.desired - 1) }, '−'),
        el('span', { class: 'desired', text: a.desired }),
        el('button', { type: 'button', class: 'secondary scale-up', title: `scale ${id} up`, 'aria-label': `scale ${id} up`,
          disabled: !a.valid, onclick: () => scale(a.app, a.name, a.desired + 1) }, '+'))),
    el('td', {},
      a.instances.length === 0 ? el('span', { class: 'muted', text: 'none' }) :
        el('ul', { class: 'instances' }, a.instances.map(i => el('li', { class: 'instance', 'data-instance': i.instance },
          el('span', { class: `state-${i.state}`, text: `#${i.instance} ${i.state.toLowerCase()}` }),
          ' on ', el('span', { class: 'instance-host', text: i.host }),
          ' ', el('span', { class: 'ports mono', text: formatPorts(i) }),
          i.current ? null : el('span', { class: 'badge warn', text: 'outdated' }),
          i.error ? el('span', { class: 'badge bad', title: i.error, text: 'error' }) : null)))),
    el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'link edit', onclick: () => openEditor(a) }, 'Edit'),
      el('button', { type: 'button', class: 'link danger remove', onclick: () => askRemove(a) }, 'Remove')));
}

function formatPorts(instance) {
  const entries = Object.entries(instance.ports || {});
  if (entries.length === 0) return '';
  return entries.map(([inside, published]) => `${instance.address}:${published}→${inside}`).join(', ');
}

// ---- changes -------------------------------------------------------------------------------------------

async function scale(app, name, to) {
  if (to < 0) return;
  const result = await change('PATCH', manifestPath(app, name), JSON.stringify({ scale: to }), () => scale(app, name, to));
  if (result.ok) toast(`${app}/${name}: scale ${to}`);
  else if (result.status !== 401) toast(`${app}/${name}: ${problemText(result)}`, true);
}

function openEditor(a) {
  ui.editing = a ? { app: a.app, name: a.name, isNew: false } : { isNew: true };
  $('editor-title').textContent = a ? `Edit ${a.app}/${a.name}` : 'New manifest';
  $('editor-app').value = a ? a.app : '';
  $('editor-name').value = a ? a.name : '';
  $('editor-app').readOnly = !!a;
  $('editor-name').readOnly = !!a;
  let text = a ? a.raw : '{\n  "image": "",\n  "scale": 1,\n  "services": {}\n}';
  try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* show it as stored */ }
  $('editor-text').value = text;
  showErrors([]);
  $('editor').showModal();
  (a ? $('editor-text') : $('editor-app')).focus();
}

function showErrors(errors) {
  const list = $('editor-errors');
  list.replaceChildren(...errors.map(e => el('li', { class: 'error', 'data-path': e.path }, el('code', { text: e.path }), ' ', e.message)));
  list.hidden = errors.length === 0;
  $('editor-text').setAttribute('aria-invalid', errors.some(e => e.path.startsWith('$')) ? 'true' : 'false');
}

async function saveEditor() {
  const app = $('editor-app').value.trim();
  const name = $('editor-name').value.trim();
  if (!app || !name) {
    showErrors([...(!app ? [{ path: 'app', message: 'is required' }] : []), ...(!name ? [{ path: 'name', message: 'is required' }] : [])]);
    return;
  }
  const save = $('editor-save');
  save.disabled = true;
  try {
    const result = await change('PUT', manifestPath(app, name), $('editor-text').value, saveEditor);
    if (result.ok) {
      $('editor').close();
      toast(`${app}/${name}: ${result.body ? result.body.change : 'saved'}`);
    } else if (result.status === 400 && result.body) {
      showErrors(result.body.errors && result.body.errors.length ? result.body.errors : [{ path: '$', message: result.body.detail }]);
    } else if (result.status !== 401) {
      showErrors([{ path: '—', message: problemText(result) }]);
    }
  } finally {
    save.disabled = false;
  }
}

function askRemove(a) {
  ui.removing = { app: a.app, name: a.name };
  $('remove-title').textContent = `Remove ${a.app}/${a.name}?`;
  const n = a.instances.length;
  $('remove-text').textContent = n === 0
    ? 'The manifest is deleted; no container runs it now. This cannot be undone.'
    : `The manifest is deleted and the agents stop and remove its ${n} container${n === 1 ? '' : 's'} on every host. This cannot be undone.`;
  $('confirm-remove').showModal();
  $('remove-cancel').focus();
}

async function confirmRemove() {
  const target = ui.removing;
  if (!target) return;
  const result = await change('DELETE', manifestPath(target.app, target.name), undefined, confirmRemove);
  if (result.ok || result.status === 404) {
    $('confirm-remove').close();
    ui.removing = null;
    toast(`${target.app}/${target.name}: removed`);
  } else if (result.status !== 401) {
    toast(`${target.app}/${target.name}: ${problemText(result)}`, true);
  }
}

// ---- start ---------------------------------------------------------------------------------------------

function start() {
  loadToken();
  $('new-manifest').addEventListener('click', () => openEditor(null));
  $('token-button').addEventListener('click', () => askForToken());
  $('editor-save').addEventListener('click', saveEditor);
  $('editor-cancel').addEventListener('click', () => $('editor').close());
  $('remove-confirm').addEventListener('click', confirmRemove);
  $('remove-cancel').addEventListener('click', () => { ui.removing = null; $('confirm-remove').close(); });
  $('token-form').addEventListener('submit', e => { e.preventDefault(); saveToken(); });
  $('token-cancel').addEventListener('click', () => { ui.afterToken = null; $('token-dialog').close(); });
  setInterval(renderHeartbeats, 1000);
  follow();
}

start();
