// DOM and formatting helpers for the console's tables. Every value from the
// server (stream names, addresses) goes in as text, never as markup.

// h('td', {class: 'x'}, 'text', otherNode): an element with attributes
// (on* keys are event listeners) and children (strings become text).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Replaces the rows of `table`'s body; `empty` is the text of a table without
// rows (spanning every column).
export function fillTable(table, rows, empty) {
  const body = table.tBodies[0];
  if (rows.length) {
    body.replaceChildren(...rows);
    return;
  }
  const columns = table.tHead ? table.tHead.rows[0].cells.length : 1;
  body.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: columns }, empty)));
}

// Each data cell gets its column's header as data-label: the narrow layout
// shows rows as cards, labelled from it (console.css).
export function labelCells(table) {
  const names = [...table.tHead.rows[0].cells].map((c) => c.textContent);
  for (const row of table.tBodies[0].rows) {
    if (row.classList.contains('empty')) continue;
    [...row.cells].forEach((c, i) => {
      if (names[i]) c.setAttribute('data-label', names[i]);
    });
  }
}

export function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (d) return `${d}d ${hh}h`;
  if (hh) return `${hh}h ${mm}m`;
  if (mm) return `${mm}m ${ss}s`;
  return `${ss}s`;
}

export function kbps(value) {
  if (!Number.isFinite(value)) return '–';
  if (value >= 10000) return `${(value / 1000).toFixed(1)} Mb/s`;
  return `${Math.round(value)} kb/s`;
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

// The API's CPU figures are fractions of one core (1.0 = one whole core).
export function percent(fraction) {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '–';
}
