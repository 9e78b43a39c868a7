// `goroscope report --html`: one self-contained page (no network): the summary, the CPU and
// heap call graphs as pan/zoom SVG and their flame graphs (from src/render, each in its own
// sandboxed srcdoc iframe so their scripts and ids never clash), sortable tables, and an
// inline SVG chart of the recent GC pauses.
import type { Group, Leak, Lock } from '../stacks'
import { labelText } from './stacks-text'
import { renderFlameHtml } from './flame'
import { dotToSvg } from './svg'
import type { NodeReport, ProfileSummary } from '../report-node/analyze'
import type { Classified } from '../bundle/classify'
import { bytes, count, duration, pct, valueIn } from './format'
import type { GcPause, MemoryReport } from '../report-node/vars'

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

interface Col<T> {
  title: string
  /** Cell text (escaped here). */
  text: (r: T) => string
  /** Sort key: a number sorts numerically. */
  key?: (r: T) => number | string
  cls?: string
}

function table<T>(id: string, rows: T[], cols: Col<T>[]): string {
  if (rows.length === 0) return '<p class="none">none</p>'
  const head = cols.map((c, i) => `<th data-col="${i}" title="click to sort">${esc(c.title)}</th>`).join('')
  const body = rows
    .map(
      (r) =>
        '<tr>' +
        cols
          .map((c) => {
            const k = c.key ? c.key(r) : c.text(r)
            const attr = typeof k === 'number' ? ` data-n="${k}"` : ` data-s="${esc(String(k))}"`
            return `<td${attr}${c.cls ? ` class="${c.cls}"` : ''}>${esc(c.text(r))}</td>`
          })
          .join('') +
        '</tr>',
    )
    .join('\n')
  return `<table class="sortable" id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

function where(g: Group): string {
  const f = g.frames[g.interesting ?? 0] ?? g.frames[0]
  return f ? f.function : '?'
}

function groupTable(id: string, groups: Group[]): string {
  return table(id, groups, [
    { title: 'count', text: (g) => count(g.count), key: (g) => g.count, cls: 'num' },
    { title: 'state', text: (g) => g.state },
    { title: 'wait (min)', text: (g) => (g.waitMinutes ? String(g.waitMinutes.max) : ''), key: (g) => g.waitMinutes?.max ?? -1, cls: 'num' },
    { title: 'function', text: where, cls: 'fn' },
    { title: 'created by', text: (g) => g.createdBy?.function ?? '', cls: 'fn' },
  ])
}

function leakTable(leaks: Leak[]): string {
  return table('leaks', leaks, [
    { title: 'count', text: (l) => count(l.count), key: (l) => l.count, cls: 'num' },
    { title: 'state', text: (l) => l.state },
    { title: 'parked in', text: (l) => (l.frame ? `${l.frame.function} ${l.frame.file}:${l.frame.line}` : '?'), cls: 'fn' },
    { title: 'created by', text: (l) => (l.createdBy ? `${l.createdBy.function} ${l.createdBy.file}:${l.createdBy.line}` : ''), cls: 'fn' },
    { title: 'labels', text: (l) => l.labels.slice(0, 3).map((s) => `${labelText(s.labels)} × ${s.count}`).join(' · ') },
  ])
}

function lockTable(locks: Lock[]): string {
  return table('contention', locks, [
    { title: 'kind', text: (l) => l.kind },
    { title: 'lock', text: (l) => l.lock },
    { title: 'waiters', text: (l) => String(l.waiters.length), key: (l) => l.waiters.length, cls: 'num' },
    { title: 'max wait (min)', text: (l) => (l.waitMax === null ? '' : String(l.waitMax)), key: (l) => l.waitMax ?? -1, cls: 'num' },
    { title: 'site', text: (l) => l.site, cls: 'fn' },
    { title: 'suspected holder', text: (l) => (l.candidates[0] ? `goroutine ${l.candidates[0].goroutine} [${l.candidates[0].state}] ${l.candidates[0].evidence[0] ?? ''}` : 'not found') },
  ])
}

function topTable(id: string, p: ProfileSummary): string {
  return (
    `<p>total <b>${esc(valueIn(p.unit, p.total))}</b> (${esc(p.sampleType)}${p.durationSeconds ? `, over ${p.durationSeconds.toFixed(1)}s` : ''}) from <code>${esc(p.file)}</code></p>` +
    table(id, p.top, [
      { title: 'flat', text: (r) => r.flatLabel, key: (r) => r.flat, cls: 'num' },
      { title: 'flat%', text: (r) => pct(r.flatPct), key: (r) => r.flatPct, cls: 'num' },
      { title: 'cum', text: (r) => r.cumLabel, key: (r) => r.cum, cls: 'num' },
      { title: 'cum%', text: (r) => pct(r.cumPct), key: (r) => r.cumPct, cls: 'num' },
      { title: 'function', text: (r) => r.name, cls: 'fn' },
    ])
  )
}

/** The recent GC pauses as an inline SVG bar chart (oldest left). */
export function pauseChart(pauses: GcPause[]): string {
  if (pauses.length === 0) return '<p class="none">no GC pauses recorded</p>'
  const W = 760
  const H = 180
  const L = 60
  const B = 24
  const max = Math.max(...pauses.map((p) => p.ns), 1)
  const bw = (W - L - 10) / pauses.length
  const bars = pauses
    .map((p, i) => {
      const h = Math.max(1, (p.ns / max) * (H - B - 10))
      return `<rect x="${(L + i * bw).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${esc(duration(p.ns))}${p.end ? ' at ' + esc(p.end) : ''}</title></rect>`
    })
    .join('')
  return `<svg id="gc-pauses" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="recent GC pauses">
<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" class="axis"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" class="axis"/>
<text x="${L - 4}" y="16" text-anchor="end">${esc(duration(max))}</text><text x="${L - 4}" y="${H - B}" text-anchor="end">0</text>
<text x="${L}" y="${H - 6}">oldest</text><text x="${W - 10}" y="${H - 6}" text-anchor="end">latest (${pauses.length} pauses)</text>
<g class="bars">${bars}</g></svg>`
}

function kv(rows: [string, string][]): string {
  return '<table class="kv">' + rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('') + '</table>'
}

function memorySection(m: MemoryReport, goroutines: number | null): string {
  const rows: [string, string][] = [
    ['HeapAlloc (live heap)', bytes(m.heapAlloc)],
    ['HeapInuse', `${bytes(m.heapInuse)} (fragmentation ${bytes(m.fragmentation)})`],
    ['Sys (from the OS)', `${bytes(m.sys)} (beyond the live heap: ${bytes(m.overhead)})`],
    ['HeapIdle / released / retained', `${bytes(m.heapIdle)} / ${bytes(m.heapReleased)} / ${bytes(m.retained)}`],
    ['NextGC', bytes(m.nextGC)],
    ['stacks in use', `${bytes(m.stackInuse)}${goroutines ? ` ≈ ${bytes(Math.round(m.stackInuse / goroutines))} per goroutine` : ''}`],
    ['allocated in total', `${bytes(m.totalAlloc)} in ${count(m.mallocs)} allocations`],
    ['GC cycles', `${count(m.numGC)} (${count(m.numForcedGC)} forced), last ${m.lastGC ?? 'never'}`],
    ['GC CPU fraction', `${(m.gcCPUFraction * 100).toFixed(3)}%`],
    ['pauses', `total ${duration(m.pauseTotalNs)}, recent mean ${duration(m.pauseMeanNs)}, max ${duration(m.pauseMaxNs)}`],
    ['badger', m.badger.active ? Object.entries(m.badger.counters).map(([k, v]) => `${k.replace(/^badger_/, '')}=${count(v)}`).join(' ') : 'all zero (not used)'],
  ]
  if (m.cmdline) rows.push(['cmdline', m.cmdline.join(' ')])
  return kv(rows) + '<h3>Recent GC pauses</h3>' + pauseChart(m.recentPauses)
}

function srcdoc(html: string): string {
  return html.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
}

function frame(title: string, html: string, height = 520): string {
  return `<details class="graph" open><summary>${esc(title)}</summary><iframe sandbox="allow-scripts" title="${esc(title)}" style="height:${height}px" srcdoc="${srcdoc(html)}"></iframe></details>`
}

/** An SVG document in its own frame (a data: URL, so the SVG is the document root its pan/zoom script expects). */
function svgFrame(title: string, svg: string, height = 520): string {
  const url = 'data:image/svg+xml;base64,' + Buffer.from(svg, 'utf8').toString('base64')
  return `<details class="graph" open><summary>${esc(title)}</summary><iframe sandbox="allow-scripts" title="${esc(title)}" style="height:${height}px" src="${url}"></iframe></details>`
}

async function graphs(name: string, p: ProfileSummary | undefined, files: Classified[], sampleIndex?: string): Promise<string> {
  if (!p) return ''
  const c = files.find((f) => f.name === p.file && f.profile)
  if (!c?.profile || p.total === 0) return ''
  let out = ''
  try {
    const dot = await c.profile.dot({ sampleIndex })
    const svg = await dotToSvg(dot.text)
    out += svgFrame(`${name} call graph (drag to pan, wheel to zoom, double-click to fit)`, svg)
  } catch (e) {
    out += `<p class="warn">${esc(name)} call graph unavailable: ${esc((e as Error).message)}</p>`
  }
  try {
    const flame = await c.profile.flameReport([], `${name} (${p.file})`)
    out += frame(`${name} flame graph`, renderFlameHtml(flame), 420)
  } catch (e) {
    out += `<p class="warn">${esc(name)} flame graph unavailable: ${esc((e as Error).message)}</p>`
  }
  return out
}

export async function renderHtml(r: NodeReport, files: Classified[]): Promise<string> {
  const n = r.node
  const id = n.kind === 'kubo' ? `kubo ${n.version ?? '?'}` : n.kind === 'go' ? 'Go program' : 'unknown program'
  const parts: string[] = []
  parts.push(`<h1>${esc(id)}</h1><p class="sub">${esc([n.golang, n.system, n.api, n.collectedOn && `collected on ${n.collectedOn}`, n.started && `${n.started} (window ${n.seconds}s)`].filter(Boolean).join(' · '))}</p>`)
  parts.push(`<p class="sub">source <code>${esc(r.source.path)}</code> (${esc(r.source.layout)}, ${r.files.length} files${r.skipped.length ? `, ${r.skipped.length} skipped` : ''})</p>`)
  if (r.collection) {
    if (r.collection.complete) parts.push('<p class="ok">collection complete</p>')
    for (const f of r.collection.failed) parts.push(`<p class="warn">missing <b>${esc(f.name)}</b>: ${esc(f.error)}</p>`)
  }
  const g = r.goroutines
  if (g?.leaked) {
    // The strongest signal a dump can carry leads the page: the GC proved these can never run again.
    parts.push(
      `<h2 id="leaked" class="warn">Leaked: ${count(g.leaked)} goroutine${g.leaked === 1 ? '' : 's'} proven leaked by the runtime</h2>` +
        `<p class="sub" id="leaked-from">from <code>${esc(g.leakedFile)}</code></p>` +
        leakTable(g.leaks),
    )
  }
  parts.push('<h2 id="goroutines">Goroutines</h2>')
  if (g) {
    parts.push(`<p><b>${count(g.total)}</b> goroutines in ${count(g.groupCount)} groups, from <code>${esc(g.file)}</code>${g.truncated ? ' <span class="warn">(truncated)</span>' : ''}</p>`)
    parts.push(table('classes', g.classes.filter((c) => c.count > 0), [
      { title: 'class', text: (c) => c.class },
      { title: 'count', text: (c) => count(c.count), key: (c) => c.count, cls: 'num' },
      { title: 'meaning', text: (c) => c.explanation },
    ]))
    parts.push('<h3>Hung (waiting ≥ 1 min)</h3>' + groupTable('hung', g.hung))
    parts.push('<h3>Lock contention</h3>' + lockTable(g.contention))
    parts.push('<h3>Biggest groups</h3>' + groupTable('groups', g.groups))
  } else parts.push('<p class="none">no goroutine dump</p>')
  const p = r.profiles
  const sec = async (key: string, title: string, s: ProfileSummary | undefined, withGraphs: boolean, si?: string) => {
    if (!s) return
    parts.push(`<h2 id="${key}">${esc(title)}</h2>` + topTable(`top-${key}`, s))
    if (withGraphs) parts.push(await graphs(title, s, files, si))
  }
  await sec('cpu', 'CPU', p.cpu, true)
  await sec('heap', 'Heap in use', p.heap, true, 'inuse_space')
  await sec('allocs', 'Allocations', p.allocs, false)
  await sec('mutex', 'Mutex contention', p.mutex, false)
  await sec('block', 'Blocking', p.block, false)
  await sec('contention', 'Contention', p.contention, false)
  if (r.memory) parts.push('<h2 id="memory">Memory (/debug/vars)</h2>' + memorySection(r.memory, g?.total ?? null))
  if (r.sys) {
    const s = r.sys
    parts.push('<h2 id="sys">System (ipfs diag sys)</h2>' + kv([
      ['runtime', `${s.os}/${s.arch} ${s.goVersion}`],
      ['CPUs', `${s.numCPU} (GOMAXPROCS ${s.gomaxprocs})`],
      ['goroutines', count(s.numGoroutines)],
      ['network', s.online === null ? '?' : s.online ? 'online' : 'offline'],
      ['disk', `${bytes(s.diskFree)} free (Bfree) of ${bytes(s.diskTotal)} (Bavail), fs ${s.fsType}`],
      ['memory', `virtual ${bytes(s.memoryVirt)} (VmSize, not RSS), swap ${bytes(s.memorySwap)}`],
    ]))
  }
  if (r.metrics) parts.push('<h2 id="metrics">Metrics</h2>' + kv([['families', String(r.metrics.families)], ['go_goroutines', String(r.metrics.goGoroutines ?? '?')], ['go_threads', String(r.metrics.goThreads ?? '?')], ['peers', String(r.metrics.peers ?? '?')]]))
  parts.push('<h2 id="files">Files</h2>' + table('files', r.files, [
    { title: 'file', text: (f) => f.name, cls: 'fn' },
    { title: 'size', text: (f) => bytes(f.size), key: (f) => f.size, cls: 'num' },
    { title: 'recognised as', text: (f) => f.detail },
    { title: 'used', text: (f) => (f.used ? 'yes' : ''), key: (f) => (f.used ? 1 : 0) },
  ]))
  if (r.skipped.length) parts.push('<h3>Skipped</h3>' + table('skipped', r.skipped, [{ title: 'entry', text: (s) => s.name, cls: 'fn' }, { title: 'reason', text: (s) => s.reason }]))
  if (r.warnings.length) parts.push('<h3>Warnings</h3><ul>' + r.warnings.map((w) => `<li>${esc(w)}</li>`).join('') + '</ul>')
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(id)} — goroscope report</title>
<style>${STYLE}</style></head>
<body>
${parts.join('\n')}
<script>${SCRIPT}</script>
</body></html>
`
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}.sub{color:#666;margin:.2em 0}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
table.sortable th{cursor:pointer;background:#f4f4f4;user-select:none}table.sortable th.asc::after{content:" ▲"}table.sortable th.desc::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.fn{font-family:ui-monospace,monospace;word-break:break-all}
table.kv th{background:none;font-weight:600;white-space:nowrap}.warn{color:#b00}.ok{color:#070}.none{color:#888}
iframe{width:100%;border:1px solid #ccc}details.graph{margin:.6em 0}svg.chart rect{fill:#4a7bd0}svg.chart rect:hover{fill:#d04a4a}
svg.chart text{font-size:11px;fill:#555}svg.chart .axis{stroke:#888}code{background:#f4f4f4;padding:0 3px}`

const SCRIPT = `(function(){
  function val(td){ if(!td) return ''; var n=td.getAttribute('data-n'); return n!==null?Number(n):(td.getAttribute('data-s')||td.textContent); }
  document.querySelectorAll('table.sortable').forEach(function(t){
    t.querySelectorAll('th').forEach(function(th){
      th.addEventListener('click',function(){
        var col=Number(th.getAttribute('data-col'));
        var desc=!th.classList.contains('desc');
        t.querySelectorAll('th').forEach(function(x){x.classList.remove('asc','desc');});
        th.classList.add(desc?'desc':'asc');
        var body=t.tBodies[0]; var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var x=val(a.cells[col]),y=val(b.cells[col]);var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));return desc?-c:c;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
})();`
