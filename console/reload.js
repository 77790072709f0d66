// The reload button: SRS's raw API (/api/v1/raw?rpc=reload) asks the master
// to re-read its configuration, as SIGHUP does; /api/v1/reload then tells
// the verdict, with every configuration error as FILE:LINE:COLUMN: KEY: WHY.

import { ApiError, get } from './api.js';
import { h } from './tables.js';

const POLL_MS = 500;
const VERDICT_TIMEOUT_MS = 30000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function show(result, cls, title, lines = []) {
  result.className = cls;
  const errors = h('ul', { class: 'errors' }, lines.map((l) => h('li', {}, h('code', {}, l))));
  result.replaceChildren(h('p', {}, h('strong', {}, title)), ...(lines.length ? [errors] : []));
}

async function waitForVerdict(before) {
  const deadline = Date.now() + VERDICT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const r = (await get('reload')).data;
    if (r.seq !== before && (r.state === 'succeeded' || r.state === 'failed')) return r;
    await sleep(POLL_MS);
  }
  throw new Error(`no verdict after ${VERDICT_TIMEOUT_MS / 1000} s (see the server's log)`);
}

async function reload(button, result) {
  button.disabled = true;
  show(result, 'pending', 'Reloading…');
  try {
    const before = (await get('reload')).data.seq;
    await get('raw?rpc=reload');
    const r = await waitForVerdict(before);
    if (r.state === 'succeeded') {
      show(result, 'ok', `Reloaded: generation ${r.generation} serves.`);
    } else {
      show(result, 'failed', 'The configuration was refused; the server runs on the previous one.',
        r.errors.length ? r.errors : ['(no error text: see the server\'s log)']);
    }
  } catch (e) {
    show(result, 'failed', `Reload failed: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

// Enables the button when the raw API may reload; otherwise says how to.
export async function setUpReload(button, hint, result) {
  let raw;
  try {
    raw = (await get('raw?rpc=raw')).http_api.raw_api;
  } catch (e) {
    hint.textContent = `Cannot read the raw API settings: ${e instanceof ApiError ? e.message : e}`;
    return;
  }
  if (!raw.enabled || !raw.allow_reload) {
    button.disabled = true;
    hint.replaceChildren(
      'Reloading from here is off. To turn it on, set ',
      h('code', {}, 'http_api.raw_api.enabled: true'), ' and ',
      h('code', {}, 'http_api.raw_api.allow_reload: true'),
      ' in the configuration, then reload once by hand (', h('code', {}, 'srs-ctl reload'),
      ' or ', h('code', {}, 'kill -HUP'), ' the master). Anyone who may use the API may then reload.',
    );
    return;
  }
  hint.textContent = '';
  button.disabled = false;
  button.addEventListener('click', () => reload(button, result));
}
