// goroscope's web UI for profiles (`goroscope pprof -http`): one page whose view is the URL's
// path (/ui/flamegraph, /ui/graph, /ui/top, /ui/peek, /ui/source, /ui/disasm) and whose refine
// options are its query, in pprof's names. The data comes from the server's api/ routes beside
// ui/ (paths relative to the page: `goroscope serve` mounts one per bundle profile under a prefix);
// every name from the profile reaches the DOM as text only. Served by src/server.
import './webui/style.css'

import { getBytes, getJSON, isAbort } from './webui/api'
import { clear, el } from './webui/dom'
import { renderDisasm } from './webui/disasm'
import { renderFlame } from './webui/flame'
import { decodeFlame } from './webui/flame-data'
import { renderGraph } from './webui/graph'
import { hideMenu, openMenu } from './webui/menu'
import { renderSource, type SourceBlock } from './webui/source'
import { go, listen, optionName, query, REFINE, view } from './webui/state'
import { renderTop, type TopRow } from './webui/top'

interface Info {
  inputs: string[]
  flags: string[]
  sampleTypes: string[]
  defaultSampleType: string
  diff: boolean
  views: string[]
}
interface Legend {
  legend: string[]
  warnings: string[]
  total: number
}

const LABELS: Record<string, string> = { flamegraph: 'Flame graph', graph: 'Graph', top: 'Top', peek: 'Peek', source: 'Source', disasm: 'Disassemble' }

let info: Info

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function showLegend(l: Legend): void {
  $('legend').textContent = l.legend.join('\n')
  const errs = $('errors')
  clear(errs)
  for (const w of l.warnings) errs.appendChild(el('div', 'warning', w))
}

function showError(e: unknown): void {
  if (isAbort(e)) return
  const errs = $('errors')
  clear(errs)
  errs.appendChild(el('div', 'error', e instanceof Error ? e.message : String(e)))
  clear($('view'))
}

function header(): void {
  const v = view()
  const q = query()
  const nav = $('views')
  clear(nav)
  for (const name of Object.keys(LABELS)) {
    const b = el('button', name === v ? 'view current' : 'view', LABELS[name])
    b.type = 'button'
    b.dataset.view = name
    b.addEventListener('click', () => go(name, query()))
    nav.appendChild(b)
  }
  const sel = $<HTMLSelectElement>('sample')
  sel.value = q.get('si') ?? info.defaultSampleType
  const filters = $('filters')
  clear(filters)
  for (const p of [...REFINE, 'si']) {
    const val = q.get(p)
    if (!val) continue
    const chip = el('span', 'chip', `${optionName(p)}=${val}`)
    const x = el('button', 'chip-x', '×')
    x.type = 'button'
    x.title = `Remove ${optionName(p)}`
    x.addEventListener('click', () => {
      const nq = query()
      nq.delete(p)
      go(view(), nq)
    })
    chip.appendChild(x)
    filters.appendChild(chip)
  }
  document.title = `${info.inputs.join(', ') || 'profile'} — ${LABELS[v] ?? v}`
}

async function render(): Promise<void> {
  hideMenu()
  header()
  const v = view()
  const q = query()
  const main = $('view')
  main.dataset.view = v
  try {
    if (v === 'flamegraph') {
      const d = decodeFlame(await getBytes('../api/flame', q))
      showLegend(d)
      renderFlame(main, d, { type: q.get('si') ?? info.defaultSampleType, tip: $('tip'), onContextMenu: openMenu })
    } else if (v === 'top') {
      const r = await getJSON<Legend & { rows: TopRow[] }>('../api/top', q)
      showLegend(r)
      renderTop(main, r.rows)
    } else if (v === 'peek') {
      const r = await getJSON<Legend & { text: string; lines: number }>('../api/peek', q)
      showLegend(r)
      main.replaceChildren(el('pre', 'peek', r.text))
      const shown = r.text.split('\n').length - (r.text.endsWith('\n') ? 1 : 0)
      if (shown < r.lines) {
        // the rest only when asked for: the whole text can be megabytes
        const more = el('button', 'peek-all', `Show all ${r.lines} lines (${shown} shown)`)
        more.type = 'button'
        more.addEventListener('click', async () => {
          const all = new URLSearchParams(q)
          all.set('all', '1')
          try {
            const full = await getJSON<{ text: string }>('../api/peek', all)
            main.replaceChildren(el('pre', 'peek', full.text))
          } catch (e) {
            showError(e)
          }
        })
        main.appendChild(more)
      }
    } else if (v === 'disasm') {
      const r = await getJSON<Legend & { text: string }>('../api/disasm', q)
      showLegend(r)
      renderDisasm(main, r.text)
    } else if (v === 'source') {
      const r = await getJSON<Legend & { blocks: SourceBlock[] }>('../api/source', q)
      showLegend(r)
      renderSource(main, r.blocks, r.total, { onName: openMenu })
    } else if (v === 'graph') {
      const r = await getJSON<Legend>('../api/graph', q)
      showLegend(r)
      renderGraph(main, q)
    } else {
      $('legend').textContent = ''
      clear($('errors'))
      main.replaceChildren(el('p', 'missing', `${LABELS[v] ?? v}: this goroscope has no such view.`))
    }
  } catch (e) {
    showError(e)
  }
}

async function configs(): Promise<void> {
  const r = await fetch('../api/configs')
  if (!r.ok) return
  const { configs: list } = (await r.json()) as { configs: Array<{ name: string; query: string }> }
  const sel = $<HTMLSelectElement>('config-menu')
  sel.replaceChildren(el('option', undefined, 'Config…'))
  ;(sel.firstChild as HTMLOptionElement).value = ''
  for (const c of list) {
    const o = el('option', undefined, c.name)
    o.value = c.query
    sel.appendChild(o)
  }
}

async function post(path: string, q: URLSearchParams): Promise<void> {
  const r = await fetch(`${path}?${q}`, { method: 'POST' })
  if (!r.ok) showError(new Error((await r.text()).trim()))
  await configs()
}

function controls(): void {
  const sel = $<HTMLSelectElement>('sample')
  for (const t of info.sampleTypes) {
    const o = el('option', undefined, t)
    o.value = t
    sel.appendChild(o)
  }
  sel.addEventListener('change', () => {
    const q = query()
    q.set('si', sel.value)
    go(view(), q)
  })
  const re = $<HTMLInputElement>('regexp')
  const how = $<HTMLSelectElement>('refine-how')
  const apply = () => {
    if (!re.value) return
    const q = query()
    q.set(how.value, re.value)
    go(view(), q)
  }
  $('refine-apply').addEventListener('click', apply)
  re.addEventListener('keydown', (e) => e.key === 'Enter' && apply())
  $('refine-reset').addEventListener('click', () => {
    const q = query()
    for (const p of REFINE) q.delete(p)
    go(view(), q)
  })
  const menu = $<HTMLSelectElement>('config-menu')
  menu.addEventListener('change', () => {
    if (menu.value === '') return
    const q = new URLSearchParams(menu.value)
    const si = query().get('si')
    if (si) q.set('si', si)
    go(view(), q)
  })
  const name = $<HTMLInputElement>('config-name')
  $('config-save').addEventListener('click', () => {
    if (!name.value) return
    const q = query()
    q.set('config', name.value)
    void post('saveconfig', q)
  })
  $('config-delete').addEventListener('click', () => {
    const n = name.value || menu.selectedOptions[0]?.textContent || ''
    if (n && menu.value !== '') void post('deleteconfig', new URLSearchParams({ config: n }))
    else if (name.value) void post('deleteconfig', new URLSearchParams({ config: name.value }))
  })
}

async function main(): Promise<void> {
  const r = await fetch('../api/info')
  info = (await r.json()) as Info
  $('title').textContent = info.inputs.join(', ') || 'profile'
  if (info.diff) $('title').appendChild(el('span', 'diff', ' (diff against base)'))
  controls()
  listen(() => void render())
  await Promise.all([render(), configs()])
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void main())
else void main()
