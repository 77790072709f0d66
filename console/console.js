// The web console: the server at a glance (overview, workers, charts), the
// live streams with a preview, the clients with a kick, and the reload
// button. Plain ES modules, no framework and no build step: the page polls
// the SRS-compatible API every 2 s and redraws what it shows.

import { ApiError, del, get } from './api.js';
import { History, drawChart } from './charts.js';
import { Preview, streamUrl } from './preview.js';
import { setUpReload } from './reload.js';
import { bytes, duration, fillTable, h, kbps, labelCells, percent } from './tables.js';

const REFRESH_MS = 2000;
const HISTORY_MS = 10 * 60 * 1000;
const KICK_CONFIRM_MS = 4000;

const $ = (id) => document.getElementById(id);

const state = {
  httpServer: null,        // /api/v1/features data.http_server: where previews are served
  history: new History(HISTORY_MS),
  lastTraffic: null,       // {t, recv, send}: the previous sample, for the bitrates
  vhosts: new Map(),       // vhost id -> {name, hls}
  streams: [],             // the last /api/v1/streams
  publishers: new Map(),   // publisher client id -> its address (they do not change)
  clients: { start: 0, count: 20, filter: '', total: 0 },
  kick: { id: '', until: 0 },
};
let preview;

function setStatus(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', Boolean(isError));
}

// --- overview --------------------------------------------------------------

function trafficSample(summary) {
  const sys = summary.system;
  const now = { t: sys.srs_sample_time, recv: sys.srs_recv_bytes, send: sys.srs_send_bytes };
  const last = state.lastTraffic;
  state.lastTraffic = now;
  const players = summary.srs_workers.reduce((n, w) => n + (w.players || 0), 0);
  const values = { players };
  // A worker that left takes its counters with it: skip a sample that went back.
  if (last && now.t > last.t && now.recv >= last.recv && now.send >= last.send) {
    values.in = ((now.recv - last.recv) * 8) / (now.t - last.t);  // bytes/ms * 8 = kb/s
    values.out = ((now.send - last.send) * 8) / (now.t - last.t);
  }
  state.history.push(Date.now(), values);
}

function drawCharts() {
  const now = Date.now();
  const opts = { windowMs: HISTORY_MS, now };
  drawChart($('chart-in'), state.history.series('in'), { ...opts, format: kbps });
  drawChart($('chart-out'), state.history.series('out'), { ...opts, format: kbps });
  drawChart($('chart-players'), state.history.series('players'), { ...opts, format: (v) => String(Math.round(v)) });
}

function showOverview(summary, reload) {
  const self = summary.self;
  $('version').textContent = self.version;
  $('uptime').textContent = duration(self.srs_uptime);
  $('connections').textContent = String(summary.system.conn_srs);
  $('cpu').textContent = percent(self.cpu_percent);
  $('memory').textContent = bytes(self.mem_kbyte * 1024);
  const serving = summary.srs_workers.filter((w) => w.state === 'ready').map((w) => w.generation);
  const generation = reload ? reload.generation : Math.max(0, ...serving);
  $('generation').textContent = reload && reload.pending_generation
    ? `${generation} (starting ${reload.pending_generation})` : String(generation);
  const rows = summary.srs_workers.map((w) => h('tr', { 'data-pid': w.pid },
    h('td', {}, w.slot), h('td', {}, w.pid), h('td', {}, w.generation),
    h('td', { class: `state-${w.state}` }, w.state), h('td', {}, w.connections),
    h('td', {}, w.players), h('td', {}, percent(w.cpu_percent)), h('td', {}, bytes(w.mem_kbyte * 1024)),
    h('td', { class: w.lapped_players ? 'warn' : '' }, w.lapped_players),
    h('td', { class: w.dropped_players ? 'warn' : '' }, w.dropped_players)));
  fillTable($('workers'), rows, 'no worker');
  labelCells($('workers'));
}

// --- streams ---------------------------------------------------------------

function codecs(s) {
  const parts = [];
  if (s.video) parts.push(`${s.video.codec}${s.video.profile ? ` (${s.video.profile})` : ''}`);
  if (s.audio) parts.push(`${s.audio.codec}${s.audio.profile ? ` (${s.audio.profile})` : ''}`);
  return parts.length ? parts.join(' / ') : '–';
}

function streamKey(s) {
  const vhost = state.vhosts.get(s.vhost);
  return `${vhost ? vhost.name : s.vhost}/${s.app}/${s.name}`;
}

// The publisher's address: its client entry, looked up once per client id.
async function lookUpPublishers(streams) {
  const wanted = streams.map((s) => s.publish.cid).filter((id) => id && !state.publishers.has(id));
  await Promise.allSettled(wanted.map(async (id) => {
    const c = (await get(`clients/${encodeURIComponent(id)}`)).client;
    state.publishers.set(id, c.ip);
  }));
}

function publisherCell(s) {
  if (s.upstream) return h('td', {}, h('span', { class: 'mark' }, 'edge'), ` ← ${s.upstream.url} (${s.upstream.state})`);
  const who = [];
  if (s.transcoder) who.push(h('span', { class: 'mark', title: `from ${s.transcoder.source}` }, `transcode ${s.transcoder.engine}`), ' ');
  if (s.ingest) who.push(h('span', { class: 'mark', title: s.ingest.source }, `ingest ${s.ingest.name}`), ' ');
  who.push(state.publishers.get(s.publish.cid) || (s.publish.active ? s.publish.cid : 'gone'));
  return h('td', { class: 'publisher' }, who);
}

function linksCell(s, forwards) {
  const dests = forwards.filter((f) => f.stream === s.id).map((f) => `${f.destination} (${f.state})`);
  if (!s.forwards && !dests.length) return h('td', {}, '–');
  return h('td', { title: dests.join('\n') }, `${s.forwards} forward${s.forwards === 1 ? '' : 's'}`);
}

function previewButtons(s) {
  const http = state.httpServer;
  const port = http && http.enabled && http.ports.length ? http.ports[0] : 0;
  const vhost = state.vhosts.get(s.vhost);
  const live = s.publish.active;
  const title = port ? '' : 'the HTTP server is off: nothing serves HTTP-FLV or HLS';
  const play = (kind) => () => startPreview(kind, port, s);
  return h('td', { class: 'actions' },
    h('button', { type: 'button', class: 'preview-flv', disabled: !port || !live, title, onclick: play('flv') }, 'FLV'),
    h('button', {
      type: 'button', class: 'preview-hls', disabled: !port || !live || !(vhost && vhost.hls),
      title: vhost && !vhost.hls ? 'HLS is off for this vhost' : title, onclick: play('hls'),
    }, 'HLS'));
}

function showStreams(streams, forwards, nowS) {
  const rows = streams.map((s) => {
    const players = s.srs_workers.map((w) => `w${w.worker_slot}: ${w.players}`).join(', ');
    return h('tr', { 'data-stream': `${s.app}/${s.name}`, 'data-id': s.id, class: s.publish.active ? '' : 'lost' },
      h('td', { class: 'name' }, h('strong', {}, `${s.app}/${s.name}`), h('br'),
        h('span', { class: 'muted small' }, state.vhosts.get(s.vhost)?.name ?? s.vhost)),
      h('td', { class: 'codecs' }, codecs(s)),
      h('td', {}, s.video && s.video.width ? `${s.video.width}×${s.video.height}` : '–'),
      h('td', {}, kbps(s.bitrate_kbps || s.kbps.recv_30s)),
      h('td', { title: players }, String(s.players), players ? h('br') : null,
        players ? h('span', { class: 'muted small' }, players) : null),
      publisherCell(s),
      h('td', {}, s.publish.active ? duration(nowS - s.published_at) : 'waiting for its publisher'),
      linksCell(s, forwards),
      previewButtons(s));
  });
  fillTable($('streams-table'), rows, 'no live stream');
  labelCells($('streams-table'));
  $('stream-count').textContent = String(streams.length);
  // The filter of the clients table lists the live streams.
  // Rebuilt only when they change: an open list would close under the user.
  const filter = $('client-filter');
  const choices = [['', 'all'], ...streams.map((s) => [s.id, `${s.app}/${s.name}`])];
  const chosen = state.clients.filter;
  if (chosen && !streams.some((s) => s.id === chosen)) choices.push([chosen, `${chosen} (ended)`]);
  const signature = JSON.stringify(choices);
  if (filter.dataset.signature === signature) return;
  filter.dataset.signature = signature;
  filter.replaceChildren(...choices.map(([value, text]) => h('option', { value }, text)));
  filter.value = chosen;
}

function startPreview(kind, port, s) {
  const url = streamUrl(kind, port, s.app, s.name);
  $('preview').hidden = false;
  $('preview-title').textContent = `${streamKey(s)} (${kind === 'flv' ? 'HTTP-FLV' : 'HLS'})`;
  preview.play(kind, url);
  $('preview').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

// --- clients ---------------------------------------------------------------

async function fetchClients() {
  const c = state.clients;
  if (!c.filter) {
    const r = await get(`clients?start=${c.start}&count=${c.count}`);
    return { rows: r.clients, total: r.total };
  }
  // The API pages every client: filter them all here, then page.
  const r = await get('clients?start=0&count=100000');
  const all = r.clients.filter((x) => x.stream === c.filter);
  return { rows: all.slice(c.start, c.start + c.count), total: all.length };
}

function kickButton(client) {
  const pending = state.kick.id === client.id && Date.now() < state.kick.until;
  return h('button', {
    type: 'button', class: pending ? 'kick confirm' : 'kick',
    title: 'Close this client\'s connection (it may connect again)',
    onclick: () => kick(client.id),
  }, pending ? 'Confirm kick' : 'Kick');
}

async function kick(id) {
  if (state.kick.id !== id || Date.now() >= state.kick.until) {
    state.kick = { id, until: Date.now() + KICK_CONFIRM_MS };
    return refreshClients();
  }
  state.kick = { id: '', until: 0 };
  try {
    await del(`clients/${encodeURIComponent(id)}`);
    setStatus(`kicked ${id}`, false);
  } catch (e) {
    setStatus(`kick ${id}: ${e.message}`, true);
  }
  return refreshClients();
}

async function refreshClients() {
  const c = state.clients;
  const { rows, total } = await fetchClients();
  c.total = total;
  if (c.start > 0 && c.start >= total) {
    c.start = Math.max(0, Math.floor((total - 1) / c.count) * c.count);
    return refreshClients();
  }
  const streamName = (id) => {
    const s = state.streams.find((x) => x.id === id);
    return s ? `${s.app}/${s.name}` : id;
  };
  const trs = rows.map((x) => h('tr', { 'data-client': x.id, 'data-type': x.type },
    h('td', {}, x.id), h('td', {}, x.type), h('td', {}, x.ip),
    h('td', {}, x.stream ? streamName(x.stream) : x.url || '–'), h('td', {}, duration(x.alive)),
    h('td', {}, `${kbps(x.kbps.recv_30s)} / ${kbps(x.kbps.send_30s)}`),
    h('td', {}, `${x.worker_slot} (pid ${x.worker_pid})`), h('td', { class: 'actions' }, kickButton(x))));
  fillTable($('clients-table'), trs, c.filter ? 'no client of this stream' : 'no client');
  labelCells($('clients-table'));
  const last = Math.min(total, c.start + rows.length);
  $('client-page').textContent = total ? `${c.start + 1}–${last} of ${total}` : '0 of 0';
  $('client-prev').disabled = c.start === 0;
  $('client-next').disabled = c.start + c.count >= total;
}

function setUpClients() {
  const c = state.clients;
  $('client-filter').addEventListener('change', (e) => {
    c.filter = e.target.value;
    c.start = 0;
    refreshClients().catch((err) => setStatus(err.message, true));
  });
  $('client-count').addEventListener('change', (e) => {
    c.count = Number(e.target.value);
    c.start = 0;
    refreshClients().catch((err) => setStatus(err.message, true));
  });
  $('client-prev').addEventListener('click', () => {
    c.start = Math.max(0, c.start - c.count);
    refreshClients().catch((err) => setStatus(err.message, true));
  });
  $('client-next').addEventListener('click', () => {
    c.start += c.count;
    refreshClients().catch((err) => setStatus(err.message, true));
  });
}

// --- the refresh loop ------------------------------------------------------

async function refresh() {
  const [summaries, reload, streams, vhosts, forwards] = await Promise.allSettled([
    get('summaries'), get('reload'), get('streams?count=100000'), get('vhosts'), get('forwards?count=100000'),
  ]);
  if (summaries.status === 'rejected') throw summaries.reason;
  if (vhosts.status === 'fulfilled') {
    state.vhosts = new Map(vhosts.value.vhosts.map((v) => [v.id, { name: v.name, hls: v.hls.enabled }]));
  }
  const summary = summaries.value.data;
  trafficSample(summary);
  drawCharts();
  showOverview(summary, reload.status === 'fulfilled' ? reload.value.data : null);
  if (streams.status === 'fulfilled') {
    state.streams = streams.value.streams;
    await lookUpPublishers(state.streams);
    const nowS = summary.now_ms / 1000;
    showStreams(state.streams, forwards.status === 'fulfilled' ? forwards.value.forwards : [], nowS);
  }
  await refreshClients();
  const failed = [reload, streams, vhosts, forwards].find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function loop() {
  try {
    await refresh();
    setStatus(`updated ${new Date().toLocaleTimeString()}`, false);
  } catch (e) {
    const why = e instanceof ApiError && e.status === 401 ? 'not signed in (reload the page)' : e.message;
    setStatus(why, true);
  }
  setTimeout(loop, REFRESH_MS);
}

async function main() {
  preview = new Preview($('player'), (text, isError) => {
    const p = $('preview-status');
    p.textContent = text;
    p.classList.toggle('error', isError);
  });
  $('preview-close').addEventListener('click', () => {
    preview.stop();
    $('preview').hidden = true;
  });
  setUpClients();
  try {
    const [features, summaries] = await Promise.all([get('features'), get('summaries')]);
    state.httpServer = features.data.http_server || null;
    $('server').textContent = `${summaries.server} · pid ${summaries.pid}`;
    document.title = `SRS console · ${location.hostname}`;
  } catch (e) {
    setStatus(e.message, true);
  }
  setUpReload($('reload-button'), $('reload-hint'), $('reload-result'));
  loop();
}

main();
