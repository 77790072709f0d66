// Small line charts (inline SVG) of what the page polled: the server keeps no
// history for the console; the page keeps the last ten minutes of samples.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 60;

// Samples {t: ms, values: {name: number}} over a sliding window.
export class History {
  constructor(windowMs = 10 * 60 * 1000) {
    this.windowMs = windowMs;
    this.samples = [];
  }

  push(t, values) {
    this.samples.push({ t, values });
    while (this.samples.length && this.samples[0].t < t - this.windowMs) this.samples.shift();
  }

  series(name) {
    return this.samples
      .filter((s) => Number.isFinite(s.values[name]))
      .map((s) => ({ t: s.t, v: s.values[name] }));
  }
}

function node(name, attrs) {
  const n = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

// Draws `points` ({t, v}) into `box` (an element holding one <svg>), the time
// axis spanning the window up to now, the value axis from 0 to the maximum.
// `format` turns a value into the text shown as the latest and peak.
export function drawChart(box, points, { windowMs, now, format }) {
  const svg = node('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
  });
  const peak = Math.max(0, ...points.map((p) => p.v));
  const x = (t) => (WIDTH * (t - (now - windowMs))) / windowMs;
  const y = (v) => HEIGHT - 2 - (peak > 0 ? ((HEIGHT - 4) * v) / peak : 0);
  if (points.length > 1) {
    const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    const first = x(points[0].t).toFixed(1);
    const last = x(points[points.length - 1].t).toFixed(1);
    svg.append(node('polygon', { points: `${first},${HEIGHT} ${line} ${last},${HEIGHT}`, class: 'area' }));
    svg.append(node('polyline', { points: line, class: 'line' }));
  }
  box.querySelector('svg')?.remove();
  box.append(svg);
  const latest = points.length ? points[points.length - 1].v : null;
  box.querySelector('.now').textContent = latest === null ? '–' : format(latest);
  box.querySelector('.peak').textContent = points.length ? `peak ${format(peak)}` : '';
  box.setAttribute('data-points', String(points.length));
}
