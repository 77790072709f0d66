// Drives the web console (/console/) in Debian's Chromium (/usr/bin/chromium,
// through playwright-core; no browser is downloaded) the way an operator
// would, and reports what the page showed. Each step is optional:
//
//   stream    wait until the streams table lists APP/STREAM with its codecs
//             and the players chart has samples
//   preview   "flv" or "hls": press the stream's preview button; the <video>
//             must play (currentTime past minSeconds) with no media error
//   kick      a client id: press Kick, then Confirm kick; its row must go
//   reload    press Reload and wait for the verdict (ok or failed, its text)
//   phone     redraw at 375x740 and measure the page's width (no sideways scroll)
//
// Usage: node console_check.js CONSOLE_URL OUT_DIR 'JSON_OPTIONS'
//   options: {user, password, stream, preview, minSeconds, kick, reload, phone, timeoutMs}
// Prints one JSON line; screenshots go to OUT_DIR. Exits 1 with the reason
// (and a screenshot, failed.png) on failure.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

async function waitForPage(page, timeout) {
  await page.waitForFunction(() => document.getElementById('version').textContent !== '–',
    null, { timeout, polling: 100 });
}

async function checkStream(page, o, seen) {
  const row = `#streams-table tr[data-stream="${o.stream}"]`;
  await page.waitForFunction((sel) => {
    const r = document.querySelector(sel);
    const codecs = r && r.querySelector('td.codecs').textContent;
    return codecs && codecs.includes('H264') && codecs.includes('AAC');
  }, row, { timeout: o.timeoutMs, polling: 200 });
  seen.codecs = await page.textContent(`${row} td.codecs`);
  seen.streamRow = (await page.innerText(row)).replace(/\s+/g, ' ');
  await page.waitForFunction(() => Number(document.getElementById('chart-players').dataset.points) >= 2,
    null, { timeout: o.timeoutMs, polling: 200 });
  seen.chartPoints = Number(await page.getAttribute('#chart-players', 'data-points'));
}

async function checkPreview(page, o, seen) {
  await page.click(`#streams-table tr[data-stream="${o.stream}"] button.preview-${o.preview}`);
  await page.waitForFunction((min) => {
    const v = document.getElementById('player');
    if (v.error) throw new Error(`media error ${v.error.code}: ${v.error.message}`);
    const s = document.getElementById('preview-status');
    if (s.classList.contains('error')) throw new Error(`preview: ${s.textContent}`);
    return v.currentTime > min;
  }, o.minSeconds, { timeout: o.timeoutMs, polling: 100 });
  seen.previewTime = await page.evaluate(() => document.getElementById('player').currentTime);
  seen.previewStatus = await page.textContent('#preview-status');
  await page.screenshot({ path: path.join(o.outDir, `preview-${o.preview}.png`), fullPage: true });
}

async function checkKick(page, o, seen) {
  const row = `#clients-table tr[data-client="${o.kick}"]`;
  await page.waitForSelector(row, { timeout: o.timeoutMs });
  seen.kickedType = await page.getAttribute(row, 'data-type');
  await page.click(`${row} button.kick`);
  await page.click(`${row} button.kick.confirm`, { timeout: 3000 });
  await page.waitForSelector(row, { state: 'detached', timeout: o.timeoutMs });
  seen.kicked = true;
  await page.screenshot({ path: path.join(o.outDir, 'kicked.png'), fullPage: true });
}

async function checkReload(page, o, seen) {
  await page.click('#reload-button:not([disabled])', { timeout: o.timeoutMs });
  await page.waitForSelector('#reload-result.ok, #reload-result.failed', { timeout: o.timeoutMs });
  seen.reloadClass = await page.getAttribute('#reload-result', 'class');
  seen.reloadText = await page.innerText('#reload-result');
  await page.screenshot({ path: path.join(o.outDir, 'reload.png'), fullPage: true });
}

async function checkPhone(page, o, seen) {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.waitForTimeout(300);  // one layout pass, then measure
  seen.phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: path.join(o.outDir, 'phone.png'), fullPage: true });
}

async function main() {
  const [url, outDir, json = '{}'] = process.argv.slice(2);
  if (!url || !outDir) throw new Error("usage: node console_check.js CONSOLE_URL OUT_DIR 'JSON'");
  const o = { minSeconds: 1.0, timeoutMs: 20000, outDir, ...JSON.parse(json) };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
  let page;
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      httpCredentials: o.user ? { username: o.user, password: o.password } : undefined,
    });
    page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Without credentials Chromium cancels the Basic challenge and the
    // navigation fails: the 401 is then the status the document got.
    let documentStatus = 0;
    page.on('response', (r) => {
      if (r.url() === url) documentStatus = r.status();
    });
    let response = null;
    try {
      response = await page.goto(url, { timeout: o.timeoutMs });
    } catch (e) {
      if (!e.message.includes('ERR_INVALID_AUTH_CREDENTIALS') || !documentStatus) throw e;
    }
    const seen = { status: response ? response.status() : documentStatus };
    if (seen.status === 200) {
      await waitForPage(page, o.timeoutMs);
      seen.version = await page.textContent('#version');
      // The reload button is set up once the raw API's settings are read.
      await page.waitForFunction(() => !document.getElementById('reload-button').disabled ||
        document.getElementById('reload-hint').textContent !== '', null, { timeout: o.timeoutMs });
      seen.reloadDisabled = await page.isDisabled('#reload-button');
      seen.reloadHint = await page.textContent('#reload-hint');
      if (o.stream) await checkStream(page, o, seen);
      await page.screenshot({ path: path.join(outDir, 'overview.png'), fullPage: true });
      if (o.preview) await checkPreview(page, o, seen);
      if (o.kick) await checkKick(page, o, seen);
      if (o.reload) await checkReload(page, o, seen);
      if (o.phone) await checkPhone(page, o, seen);
      seen.statusLine = await page.textContent('#status');
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    console.log(JSON.stringify(seen));
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(outDir, 'failed.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`console_check: ${e.message}`);
  process.exit(1);
});
