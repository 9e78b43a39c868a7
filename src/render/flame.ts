// `goroscope flame`: one self-contained HTML file (inline CSS and JavaScript, no network) with
// an interactive flame graph (icicle layout, root on top) of a profile or goroutine dump.
// The data is the core's flame JSON (crates/goroscope-core/src/flame.rs), embedded in a
// `<script type="application/json">` element with `<`, `>` and `&` escaped; the page reads it
// with JSON.parse and writes every input string with textContent, never as markup. A
// Content-Security-Policy allows only this page's own script (by hash) and no requests.
import { createHash } from 'node:crypto'

/** Escape JSON so that it cannot end the `<script>` element that holds it. */
export function scriptSafeJson(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/**
 * The head of a self-contained page whose only script is `script` (allowed by hash, no
 * requests): charset, Content-Security-Policy, viewport, `title` (already HTML text) and `style`.
 */
export function pageHead(script: string, title: string, style: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64')
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${style}</style>
</head>`
}

/**
 * The HTML page for the core's flame JSON. `hung` names functions whose frames get a red
 * outline (for goroutine dumps: where hung goroutines are parked).
 */
export function renderFlameHtml(flameJson: string, hung: string[] = []): string {
  return `${pageHead(SCRIPT, 'flame graph', STYLE)}
<body>
<header>
<strong id="title"></strong>
<label id="type-label">Sample type <select id="type"></select></label>
<button id="reset" type="button" title="Show the whole tree (Esc)">Reset zoom</button>
<input id="search" type="search" placeholder="Search functions (regexp)" autocomplete="off" spellcheck="false">
<span id="matched"></span>
</header>
<div id="path"></div>
<div id="chart"></div>
<div id="tip" hidden></div>
<script type="application/json" id="flame-data">${scriptSafeJson(flameJson)}</script>
<script type="application/json" id="flame-hung">${scriptSafeJson(JSON.stringify(hung))}</script>
<script>${SCRIPT}</script>
</body>
</html>
`
}

const STYLE = `
html,body{margin:0;padding:0;font:12px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fff}
header{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;padding:8px 10px;background:#f4f4f4;border-bottom:1px solid #ddd}
#title{font-size:14px}
#search{width:260px;padding:3px 6px}
#matched{color:#7a2a00}
#path{padding:4px 10px;color:#555;min-height:16px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#chart{position:relative;margin:0 10px 20px 10px;overflow:hidden}
.f{position:absolute;height:17px;box-sizing:border-box;border-right:1px solid #fff;border-bottom:1px solid #fff;padding:0 3px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;line-height:16px;cursor:pointer;font-size:11px;color:#1a1a1a}
.f:hover{filter:brightness(0.9)}
.f.anc{opacity:0.55}
.f.match{background:#ee00ee!important;color:#fff}
.f.hung{outline:2px solid #d00000;outline-offset:-2px}
#tip{position:fixed;z-index:3;pointer-events:none;max-width:640px;padding:6px 8px;background:#fffbe6;border:1px solid #c9b458;border-radius:3px;box-shadow:0 2px 6px rgba(0,0,0,.2);white-space:pre-wrap;word-break:break-all;font-size:12px}
`

// The page's script (goroscope's own). Strings from the profile reach the DOM only through
// textContent and title; nothing is parsed as HTML.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('flame-data').textContent);
  var N = D.name.length, ROW = 18, MIN_PX = 0.5;
  var kids = [], depth = new Int32Array(N);
  for (var i = 0; i < N; i++) kids.push([]);
  for (i = 1; i < N; i++) { kids[D.parent[i]].push(i); depth[i] = depth[D.parent[i]] + 1; }
  var hung = {};
  var hungEl = document.getElementById('flame-hung');
  (hungEl ? JSON.parse(hungEl.textContent) : []).forEach(function (h) { hung[h] = true; });
  var ti = Math.min(Math.max(D.defaultType | 0, 0), Math.max(D.types.length - 1, 0));
  var focus = 0, re = null, matchFlag = null;
  var chart = document.getElementById('chart'), tip = document.getElementById('tip');
  var search = document.getElementById('search'), matched = document.getElementById('matched');
  var sel = document.getElementById('type'), pathEl = document.getElementById('path');

  function name(n) { return n === 0 ? 'root' : D.names[D.name[n]]; }
  function vals() { return D.values[ti] || []; }
  function unit() { var t = D.types[ti]; return t ? t.unit : ''; }

  function sortKids() {
    var v = vals();
    for (var n = 0; n < N; n++) {
      kids[n].sort(function (a, b) { return (v[b] - v[a]) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0); });
    }
  }

  function num(x, digits) {
    var s = x.toFixed(digits);
    return s.indexOf('.') >= 0 ? s.replace(/\.?0+$/, '') : s;
  }
  function scaled(v, steps) {
    var a = Math.abs(v), k = 0;
    while (k + 1 < steps.length && a >= steps[k + 1][0]) k++;
    return num(v / steps[k][0], 2) + steps[k][1];
  }
  function fmt(v) {
    switch (unit()) {
      case 'nanoseconds': return scaled(v, [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'min'], [3.6e12, 'h']]);
      case 'microseconds': return scaled(v * 1e3, [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'min'], [3.6e12, 'h']]);
      case 'milliseconds': return scaled(v * 1e6, [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'min'], [3.6e12, 'h']]);
      case 'seconds': return scaled(v * 1e9, [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'min'], [3.6e12, 'h']]);
      case 'bytes': return scaled(v, [[1, 'B'], [1024, 'kB'], [1048576, 'MB'], [1073741824, 'GB'], [1099511627776, 'TB']]);
      case 'count': case '': return String(v);
      default: return v + ' ' + unit();
    }
  }
  function pct(a, b) { return b ? num(100 * a / b, 2) + '%' : '-'; }

  // Warm colours by package, as flame graphs usually are.
  function color(n) {
    if (n === 0) return '#d8d8d8';
    var s = name(n), slash = s.lastIndexOf('/'), dot = s.indexOf('.', slash + 1);
    var pkg = dot > 0 ? s.slice(0, dot) : s, h = 0;
    for (var k = 0; k < pkg.length; k++) h = (h * 31 + pkg.charCodeAt(k)) | 0;
    h = Math.abs(h);
    if (/^(runtime|sync|internal)[./]/.test(s)) return 'hsl(' + (190 + h % 30) + ',45%,' + (72 + h % 10) + '%)';
    return 'hsl(' + (h % 55) + ',' + (70 + h % 20) + '%,' + (60 + (h >> 3) % 15) + '%)';
  }

  function isMatch(n) { return re !== null && n !== 0 && re.test(name(n)); }

  function frame(n, d, x, w, cls) {
    var el = document.createElement('div');
    el.className = 'f' + cls + (isMatch(n) ? ' match' : '') + (hung[name(n)] ? ' hung' : '');
    el.style.left = x + 'px';
    el.style.top = (d * ROW) + 'px';
    el.style.width = Math.max(w, 1) + 'px';
    el.style.background = color(n);
    el.setAttribute('data-n', String(n));
    if (w >= 24) el.textContent = name(n);
    return el;
  }

  function render() {
    var v = vals(), W = chart.clientWidth || 800, frag = document.createDocumentFragment();
    var anc = [];
    for (var k = focus; k >= 0; k = D.parent[k]) anc.unshift(k);
    for (var a = 0; a < anc.length - 1; a++) frag.appendChild(frame(anc[a], a, 0, W, ' anc'));
    var fv = Math.max(v[focus], 0), scale = fv > 0 ? W / fv : 0, maxD = anc.length;
    var stack = [[focus, 0]];
    while (stack.length) {
      var top = stack.pop(), n = top[0], x = top[1], w = Math.max(v[n], 0) * scale;
      if (n !== focus && w < MIN_PX) continue;
      var d = depth[n];
      frag.appendChild(frame(n, d, x, w, n === focus && focus !== 0 ? ' focus' : ''));
      if (d + 1 > maxD) maxD = d + 1;
      var cx = x, ks = kids[n];
      for (var c = 0; c < ks.length; c++) {
        var cw = Math.max(v[ks[c]], 0) * scale;
        if (cw >= MIN_PX) stack.push([ks[c], cx]);
        cx += cw;
      }
    }
    chart.replaceChildren(frag);
    chart.style.height = (maxD * ROW + 2) + 'px';
    pathEl.textContent = focus === 0 ? 'Click a frame to zoom in; Esc or Reset zoom shows everything.' :
      anc.map(name).join(' \u2192 ');
    showMatched();
  }

  function showMatched() {
    if (re === null) { matched.textContent = ''; return; }
    var v = vals(), total = 0, stack = [0];
    while (stack.length) {
      var n = stack.pop();
      if (isMatch(n)) { total += v[n]; continue; }
      for (var c = 0; c < kids[n].length; c++) stack.push(kids[n][c]);
    }
    matched.textContent = 'Matched: ' + fmt(total) + ' (' + pct(total, v[0]) + ')';
  }

  function showTip(n, e) {
    var v = vals(), self = v[n];
    for (var c = 0; c < kids[n].length; c++) self -= v[kids[n][c]];
    var lines = [name(n), fmt(v[n]) + ' (' + pct(v[n], v[0]) + ' of total)'];
    if (focus !== 0) lines.push(pct(v[n], v[focus]) + ' of ' + name(focus));
    lines.push('self: ' + fmt(self) + ' (' + pct(self, v[0]) + ')');
    if (hung[name(n)]) lines.push('hung goroutines are parked here');
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    var x = e.clientX + 14, y = e.clientY + 14, r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth) x = Math.max(0, e.clientX - r.width - 10);
    if (y + r.height > window.innerHeight) y = Math.max(0, e.clientY - r.height - 10);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }

  chart.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('.f') : null;
    if (!t) return;
    focus = +t.getAttribute('data-n');
    render();
  });
  chart.addEventListener('mousemove', function (e) {
    var t = e.target.closest ? e.target.closest('.f') : null;
    if (t) showTip(+t.getAttribute('data-n'), e); else tip.hidden = true;
  });
  chart.addEventListener('mouseleave', function () { tip.hidden = true; });
  document.getElementById('reset').addEventListener('click', function () { focus = 0; render(); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && e.target !== search) { focus = 0; render(); }
  });
  search.addEventListener('input', function () {
    var q = search.value;
    if (!q) re = null;
    else {
      try { re = new RegExp(q, 'i'); } catch (err) { re = new RegExp(q.replace(/[.*+?^$\{\}()|[\]\\]/g, '\\$&'), 'i'); }
    }
    render();
  });
  D.types.forEach(function (t, k) {
    var o = document.createElement('option');
    o.value = String(k);
    o.textContent = t.type + (t.unit ? ' (' + t.unit + ')' : '');
    sel.appendChild(o);
  });
  sel.value = String(ti);
  if (D.types.length < 2) document.getElementById('type-label').hidden = true;
  sel.addEventListener('change', function () { ti = +sel.value; sortKids(); render(); });
  var title = D.title ? D.title : 'profile';
  document.getElementById('title').textContent = title;
  document.title = title + ' \u2014 flame graph';
  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(render, 100);
  });
  sortKids();
  render();
  window.goroscopeFlame = { render: render, focus: function () { return focus; } };
})();
`
