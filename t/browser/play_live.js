// Plays a live stream in Debian's Chromium (/usr/bin/chromium, driven by
// playwright-core; no browser is downloaded) the way a web page does: the
// page at PAGE_URL attaches hls.js or mpegts.js to its <video id="v">
// (test_tls_browser.py writes it); the video must play past MIN_SECONDS
// with no media error. Certificate errors are ignored (a self-signed test
// certificate); everything else about TLS is the browser's own.
// Prints one JSON line with what it saw; exits 1 with the reason on failure.
//
// Usage: node play_live.js PAGE_URL [MIN_SECONDS] [TIMEOUT_MS]
'use strict';
const { chromium } = require('playwright-core');

async function main() {
  const [url, min = '1.0', timeout = '30000'] = process.argv.slice(2);
  if (!url) throw new Error('usage: node play_live.js PAGE_URL [MIN_SECONDS] [TIMEOUT_MS]');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfinished', (r) => requests.push(r.url()));
    await page.goto(url, { timeout: Number(timeout) });
    await page.waitForFunction((m) => {
      const v = document.getElementById('v');
      if (v.error) throw new Error(`media error ${v.error.code}: ${v.error.message}`);
      if (window.playerError) throw new Error(`player error: ${window.playerError}`);
      return v.currentTime > m;
    }, Number(min), { timeout: Number(timeout), polling: 100 });
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const seen = await page.evaluate(() => ({
      currentTime: document.getElementById('v').currentTime,
      width: document.getElementById('v').videoWidth,
      height: document.getElementById('v').videoHeight,
      protocol: location.protocol,
    }));
    seen.httpsRequests = requests.filter((u) => u.startsWith('https:')).length;
    seen.plainRequests = requests.filter((u) => u.startsWith('http:')).length;
    console.log(JSON.stringify(seen));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`play_live: ${e.message}`);
  process.exit(1);
});
