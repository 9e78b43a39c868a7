// The node summary of one bundle (`goroscope serve BUNDLE`, at /bundle/N/): who the node is
// (versions, collection), its goroutines (linked to the explorer), every profile it holds (each
// opening in the pprof web UI mounted at profile/K/ui/), its memory from /debug/vars memstats
// with the recent GC pauses charted by uPlot (bundled, no CDN), and `ipfs diag sys`. The data is
// the report `goroscope report --json` prints (api/bundle); every name from the bundle reaches
// the DOM as text only. Exact numbers are shown beside the scaled ones, so they can be checked.
import 'uplot/dist/uPlot.min.css'
import './node/style.css'

import uPlot from 'uplot'

import { fetchJSON } from './webui/api'
import { clear, el } from './webui/dom'
import { formatValue } from './webui/format'

interface TopRow {
  name: string
  flat: number
  cum: number
}
interface ProfileSummary {
  file: string
  sampleType: string
  unit: string
  total: number
  top: TopRow[]
}
interface Report {
  node: Record<string, string | number | null>
  collection: { complete: boolean; failed: { name: string; error: string }[]; skipped: { name: string; error: string }[] } | null
  goroutines: { file: string; total: number; states: Record<string, number>; leaked: number; hung: unknown[]; contention: unknown[] } | null
  profiles: Record<string, ProfileSummary>
  memory: (Record<string, number> & { recentPauses: { end: string | null; ns: number }[]; lastGC: string | null }) | null
  sys: Record<string, string | number | boolean | string[] | null> | null
  warnings: string[]
}
interface Bundle {
  name: string
  report: Report
  profiles: { file: string; profileType: string; detail: string }[]
  dumps: { name: string; input: number; goroutines: number }[]
}

const $ = (id: string) => document.getElementById(id)!

function link(href: string, text: string, cls?: string): HTMLAnchorElement {
  const a = el('a', cls, text)
  a.href = href
  return a
}

/** A key/value table; a row's `data-key` names the report field, so tests can find it. */
function kv(rows: [string, string, string?][]): HTMLTableElement {
  const t = el('table', 'kv')
  for (const [k, v, key] of rows) {
    const tr = t.appendChild(el('tr'))
    if (key) tr.dataset.key = key
    tr.appendChild(el('th', undefined, k))
    tr.appendChild(el('td', undefined, v))
  }
  return t
}

const exact = (n: number, unit: string) => (unit === 'count' ? String(n) : `${n} (${formatValue(n, unit)})`)

function renderNode(b: Bundle): void {
  const r = b.report
  $('title').textContent = `${b.name} — node summary`
  document.title = `${b.name} — goroscope node summary`
  const node = $('node')
  node.appendChild(el('h2', undefined, 'Node'))
  const n = r.node
  const rows: [string, string, string?][] = []
  for (const [label, key] of [['kind', 'kind'], ['version', 'version'], ['commit', 'commit'], ['Go', 'golang'], ['system', 'system'], ['repo', 'repo'], ['API', 'api'], ['collected on', 'collectedOn'], ['started', 'started'], ['seconds', 'seconds']] as const) {
    if (n[key] !== null && n[key] !== undefined && n[key] !== '') rows.push([label, String(n[key]), key])
  }
  node.appendChild(kv(rows)).id = 'node-table'
  const c = r.collection
  if (c) {
    const sec = $('collection')
    sec.appendChild(el('p', c.complete ? 'complete' : 'incomplete', c.complete ? 'collection complete' : 'collection incomplete'))
    for (const f of [...c.failed, ...c.skipped]) sec.appendChild(el('div', 'warning', `${f.name}: ${f.error}`))
  }
  const errs = $('errors')
  for (const w of r.warnings) errs.appendChild(el('div', 'warning', w))
}

function renderGoroutines(b: Bundle): void {
  const sec = $('goroutines')
  sec.appendChild(el('h2', undefined, 'Goroutines'))
  const g = b.report.goroutines
  if (g) {
    sec.appendChild(
      kv([
        ['dump', g.file, 'file'],
        ['goroutines', String(g.total), 'total'],
        ['leaked', String(g.leaked), 'leaked'],
        ['states', Object.entries(g.states).map(([s, k]) => `${s} ${k}`).join(', '), 'states'],
      ]),
    ).id = 'goroutines-table'
  } else sec.appendChild(el('p', 'none', 'no goroutine dump'))
  const links = sec.appendChild(el('div', 'links'))
  for (const d of b.dumps) links.appendChild(link(`../../explorer?input=${d.input}`, `${d.name}: ${d.goroutines} goroutines in the explorer`, 'explorer'))
}

function renderProfiles(b: Bundle): void {
  const sec = $('profiles')
  sec.appendChild(el('h2', undefined, 'Profiles'))
  if (!b.profiles.length) return void sec.appendChild(el('p', 'none', 'no profiles'))
  const summaries = Object.values(b.report.profiles)
  const t = sec.appendChild(el('table', 'profiles'))
  const head = t.appendChild(el('tr'))
  for (const h of ['file', 'kind', 'total', 'heaviest (flat)', 'views']) head.appendChild(el('th', undefined, h))
  b.profiles.forEach((p, k) => {
    const tr = t.appendChild(el('tr'))
    tr.dataset.file = p.file
    tr.appendChild(el('td', 'file', p.file))
    tr.appendChild(el('td', 'kind', p.detail))
    // the report's summary of this file (the first profile of each kind), as `goroscope report`
    const s = summaries.find((x) => x.file === p.file)
    tr.appendChild(el('td', 'n total', s ? `${exact(s.total, s.unit)} ${s.sampleType}` : ''))
    tr.appendChild(el('td', 'top', s?.top[0] ? s.top[0].name : ''))
    const views = tr.appendChild(el('td', 'views'))
    for (const [v, label] of [['flamegraph', 'flame graph'], ['graph', 'graph'], ['top', 'top'], ['peek', 'peek']]) {
      views.appendChild(link(`profile/${k}/ui/${v}`, label, `view-${v}`))
      views.appendChild(document.createTextNode(' '))
    }
  })
}

function renderMemory(b: Bundle): void {
  const sec = $('memory')
  sec.appendChild(el('h2', undefined, 'Memory (/debug/vars memstats)'))
  const m = b.report.memory
  if (!m) return void sec.appendChild(el('p', 'none', 'no /debug/vars in this bundle'))
  const bytes: [string, string][] = [
    ['HeapAlloc (live heap)', 'heapAlloc'],
    ['HeapInuse', 'heapInuse'],
    ['HeapIdle', 'heapIdle'],
    ['HeapReleased', 'heapReleased'],
    ['Sys (from the OS)', 'sys'],
    ['StackInuse', 'stackInuse'],
    ['NextGC', 'nextGC'],
    ['fragmentation (HeapInuse − HeapAlloc)', 'fragmentation'],
    ['retained (HeapIdle − HeapReleased)', 'retained'],
  ]
  const rows: [string, string, string?][] = bytes.map(([l, k]) => [l, exact(m[k], 'bytes'), k])
  rows.push(['heap objects', String(m.heapObjects), 'heapObjects'], ['GC cycles', String(m.numGC), 'numGC'], ['forced GC cycles', String(m.numForcedGC), 'numForcedGC'])
  rows.push(['GC CPU fraction', m.gcCPUFraction.toFixed(6), 'gcCPUFraction'], ['longest recent pause', exact(m.pauseMaxNs, 'nanoseconds'), 'pauseMaxNs'], ['mean recent pause', exact(m.pauseMeanNs, 'nanoseconds'), 'pauseMeanNs'])
  if (m.lastGC) rows.push(['last GC', m.lastGC, 'lastGC'])
  sec.appendChild(kv(rows)).id = 'memory-table'
  memoryChart(sec, m)
  sec.appendChild(el('h2', undefined, `Recent GC pauses (${m.recentPauses.length}, oldest left)`))
  const chart = sec.appendChild(el('div'))
  chart.id = 'gc-chart'
  const timed = m.recentPauses.filter((p) => p.end !== null)
  chart.dataset.points = String(timed.length)
  if (!timed.length) return void chart.appendChild(el('p', 'none', 'no GC pauses recorded'))
  // x: when each pause ended (seconds), y: its length in microseconds
  const xs = timed.map((p) => Date.parse(p.end!) / 1000)
  const ys = timed.map((p) => p.ns / 1000)
  new uPlot(
    {
      width: Math.min(900, Math.max(320, document.body.clientWidth - 40)),
      height: 240,
      series: [{}, { label: 'pause (µs)', stroke: '#4a7bd0', fill: 'rgba(74,123,208,0.15)', points: { show: true, size: 4 } }],
      axes: [{}, { label: 'µs' }],
      scales: { x: { time: true } },
    },
    [xs, ys],
    chart,
  )
}

/** Where the memory the runtime got from the OS goes, as bars (MiB): the memstats snapshot. */
function memoryChart(sec: HTMLElement, m: Record<string, number>): void {
  const parts: [string, number][] = [
    ['live heap', m.heapAlloc],
    ['fragmentation', m.fragmentation],
    ['idle, retained', m.retained],
    ['released', m.heapReleased],
    ['stacks', m.stackInuse],
    ['other runtime', Math.max(0, m.sys - m.heapSys - m.stackSys)],
  ]
  const chart = sec.appendChild(el('div'))
  chart.id = 'memory-chart'
  chart.dataset.bars = String(parts.length)
  new uPlot(
    {
      width: Math.min(900, Math.max(320, document.body.clientWidth - 40)),
      height: 220,
      series: [{}, { label: 'MiB', fill: 'rgba(74,123,208,0.6)', stroke: '#4a7bd0', paths: uPlot.paths.bars!({ size: [0.6] }), points: { show: false } }],
      scales: { x: { time: false, range: [-0.5, parts.length - 0.5] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => parts[t]?.[0] ?? ''), splits: () => parts.map((_, i) => i) }, { label: 'MiB' }],
      legend: { show: false },
    },
    [parts.map((_, i) => i), parts.map(([, v]) => v / 1048576)],
    chart,
  )
}

function renderSys(b: Bundle): void {
  const s = b.report.sys
  if (!s) return
  const sec = $('sys')
  sec.appendChild(el('h2', undefined, 'System (ipfs diag sys)'))
  const rows: [string, string, string?][] = []
  for (const [k, v] of Object.entries(s)) {
    if (v === null || v === '') continue
    const unit = ['diskTotal', 'diskFree', 'memoryVirt', 'memorySwap'].includes(k) ? 'bytes' : 'count'
    rows.push([k, Array.isArray(v) ? v.join(', ') : typeof v === 'number' ? exact(v, unit) : String(v), k])
  }
  sec.appendChild(kv(rows)).id = 'sys-table'
}

async function main(): Promise<void> {
  const m = /\/bundle\/(\d+)\/$/.exec(location.pathname)
  if (!m) throw new Error(`not a bundle page: ${location.pathname}`)
  const b = await fetchJSON<Bundle>('../../api/bundle', new URLSearchParams({ bundle: m[1] }), new AbortController().signal)
  renderNode(b)
  renderGoroutines(b)
  renderProfiles(b)
  renderMemory(b)
  renderSys(b)
}

main().catch((e: Error) => {
  const errs = $('errors')
  clear(errs)
  errs.appendChild(el('div', 'error', e.message))
})
