// Plays a video in Debian's Chromium (/usr/bin/chromium, driven by
// playwright-core; no browser is downloaded) and checks what a viewer would
// see: the page's <video id="v"> gets its metadata (duration), plays (its
// currentTime advances past MIN_SECONDS), then seeks near the end (a Range
// request the server must answer) and plays from there. Any media error
// fails. Prints one JSON line with what it saw; exits 1 with the reason on
// failure.
//
// Usage: node play_video.js PAGE_URL [MIN_SECONDS] [TIMEOUT_MS]
'use strict';
const { chromium } = require('playwright-core');

async function watch(page, minSeconds, timeoutMs) {
  await page.waitForFunction(() => {
    const v = document.getElementById('v');
    if (v.error) throw new Error(`media error ${v.error.code}: ${v.error.message}`);
    return v.readyState >= 1 && v.duration > 0;
  }, null, { timeout: timeoutMs, polling: 100 });
  const duration = await page.evaluate(() => document.getElementById('v').duration);
  await page.evaluate(() => document.getElementById('v').play());
  await page.waitForFunction((min) => {
    const v = document.getElementById('v');
    if (v.error) throw new Error(`media error ${v.error.code}: ${v.error.message}`);
    return v.currentTime > min;
  }, minSeconds, { timeout: timeoutMs, polling: 100 });
  const played = await page.evaluate(() => document.getElementById('v').currentTime);
  // Near the end: the browser asks for the bytes there (Range) and plays on.
  const target = Math.max(0, duration - 1.5);
  await page.evaluate((t) => { document.getElementById('v').currentTime = t; }, target);
  await page.waitForFunction((t) => {
    const v = document.getElementById('v');
    if (v.error) throw new Error(`media error ${v.error.code}: ${v.error.message}`);
    return !v.seeking && v.currentTime > t + 0.2;
  }, target, { timeout: timeoutMs, polling: 100 });
  const after = await page.evaluate(() => document.getElementById('v').currentTime);
  return { duration, played, seekedTo: target, after };
}

async function main() {
  const [url, min = '1.0', timeout = '20000'] = process.argv.slice(2);
  if (!url) throw new Error('usage: node play_video.js PAGE_URL [MIN_SECONDS] [TIMEOUT_MS]');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url, { timeout: Number(timeout) });
    const seen = await watch(page, Number(min), Number(timeout));
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    console.log(JSON.stringify(seen));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`play_video: ${e.message}`);
  process.exit(1);
});
