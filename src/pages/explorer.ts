// goroscope's goroutine explorer (`goroscope serve`): one page whose filters live in its query
// (`input`, `state`, `label`, `match`, `min-wait`, `sort`, `offset`), so a link reproduces the
// view. The data comes from /api/dump/ (src/server/explorer.ts): the summary (with --diff, what
// changed since the base dump), one page of groups at a time, and the wait-for graph as SVG in a
// same-origin frame (evidence as each edge's tooltip). Every name from the dump reaches the DOM as text only.
import './explorer/style.css'

import { getJSON, isAbort } from './explorer/api'
import { renderGroup, type Frame, type Group } from './explorer/groups'
import { clear, el } from './webui/dom'

interface Input {
  input: number
  name: string
  goroutines: number
  base: string | null
}

interface Summary {
  goroutines: number
  matched: number
  leaked: number
  states: Record<string, number>
  classes: { class: string; count: number; explanation: string }[]
  groupCount: number
  hung: Group[]
  hungCount: number
  leaks: { count: number; state: string; frame: Frame | null; createdBy: Frame | null; ids: number[]; idsMore: number }[]
  locks: number
  cycles: { goroutines: number[]; locks: string[]; summary: string }[]
  warnings: { line: number; message: string }[]
  /** With `--diff BASE`: the base dump's name and the groups that changed size, largest growth first. */
  base: string | null
  diff: { group: number | null; state: string; function: string; base: number; current: number; delta: number }[] | null
}

interface Page {
  total: number
  offset: number
  groups: Group[]
}

const PAGE = 50
const FILTERS = ['state', 'label', 'match', 'min-wait', 'sort'] as const
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function query(): URLSearchParams {
  return new URLSearchParams(location.search)
}

/** The query without paging: what the summary, the graph and the groups share. */
function filterQuery(q: URLSearchParams): URLSearchParams {
  const f = new URLSearchParams()
  f.set('input', q.get('input') ?? '0')
  for (const k of FILTERS) for (const v of q.getAll(k)) if (v) f.append(k, v)
  return f
}

function go(q: URLSearchParams): void {
  history.pushState(null, '', `/explorer?${q}`)
  void load()
}

function showError(e: unknown): void {
  if (isAbort(e)) return
  const box = $('errors')
  clear(box)
  box.appendChild(el('div', 'error', e instanceof Error ? e.message : String(e)))
}

function countsTable(rows: [string, number, string?][], pick?: (name: string) => void): HTMLTableElement {
  const t = el('table', 'counts')
  for (const [name, n, title] of rows) {
    const tr = el('tr', pick ? 'pick' : undefined)
    tr.appendChild(el('td', 'name', name))
    tr.appendChild(el('td', 'n', String(n)))
    if (title) tr.title = title
    if (pick) tr.addEventListener('click', () => pick(name))
    t.appendChild(tr)
  }
  return t
}

function pickState(s: string): void {
  const q = query()
  q.set('state', s)
  q.delete('offset')
  go(q)
}

function renderSummary(s: Summary): void {
  const root = $('summary')
  clear(root)
  const nums = el('div', 'numbers')
  for (const [k, v] of [['goroutines', s.goroutines], ['matched', s.matched], ['leaked', s.leaked], ['groups', s.groupCount], ['hung groups', s.hungCount], ['locks', s.locks], ['cycles', s.cycles.length]] as const) {
    const span = el('span', `num-${k.replace(' ', '-')}`)
    span.appendChild(el('b', undefined, String(v)))
    span.appendChild(document.createTextNode(` ${k}`))
    nums.appendChild(span)
  }
  root.appendChild(nums)
  root.appendChild(el('h2', undefined, 'Classes'))
  root.appendChild(countsTable(s.classes.map((c) => [c.class, c.count, c.explanation]), pickState)).id = 'classes'
  root.appendChild(el('h2', undefined, 'States'))
  root.appendChild(countsTable(Object.entries(s.states), pickState)).id = 'states-table'
  const dl = $('states')
  clear(dl)
  for (const name of [...s.classes.map((c) => c.class), ...Object.keys(s.states)]) {
    const o = el('option')
    o.value = name
    dl.appendChild(o)
  }
  const cy = $('cycles')
  clear(cy)
  if (s.cycles.length) {
    cy.appendChild(el('h2', undefined, `Cycles (likely deadlocks): ${s.cycles.length}`))
    for (const c of s.cycles) {
      const d = cy.appendChild(el('div', 'cycle', c.summary))
      d.dataset.goroutines = c.goroutines.join(',')
    }
  }
  const hung = $('hung')
  clear(hung)
  hung.appendChild(el('h2', undefined, `Hung groups (waiting ≥ min-wait minutes): ${s.hungCount}`))
  if (!s.hung.length) hung.appendChild(el('p', 'empty', 'none'))
  for (const g of s.hung) hung.appendChild(renderGroup(g))
  const leaks = $('leaks')
  clear(leaks)
  leaks.appendChild(el('h2', undefined, `Leaked (proved by the runtime's goroutineleak profile): ${s.leaked}`))
  if (!s.leaks.length) leaks.appendChild(el('p', 'empty', 'none'))
  for (const l of s.leaks) {
    const d = leaks.appendChild(el('div', 'group leak'))
    d.appendChild(el('div', 'head', `${l.count} leaked [${l.state}]${l.frame ? ` parked in ${l.frame.function} ${l.frame.file}:${l.frame.line}` : ''}`))
    if (l.createdBy) d.appendChild(el('div', 'ids', `created by ${l.createdBy.function} ${l.createdBy.file}:${l.createdBy.line}`))
    if (l.ids.length) d.appendChild(el('div', 'ids', `ids ${l.ids.join(' ')}${l.idsMore ? ` … and ${l.idsMore} more` : ''}`))
  }
  const errs = $('errors')
  clear(errs)
  for (const w of s.warnings) errs.appendChild(el('div', 'warning', `line ${w.line}: ${w.message}`))
}

/** What changed since the base dump (`--diff`), as `goroscope stacks --diff` lists it. */
function renderDiff(s: Summary): void {
  const root = $('diff')
  clear(root)
  root.hidden = s.diff === null
  if (s.diff === null) return
  root.appendChild(el('h2', undefined, `Change since ${s.base}: ${s.diff.filter((d) => d.delta > 0).length} groups grew, ${s.diff.filter((d) => d.delta < 0).length} shrank`))
  if (!s.diff.length) return void root.appendChild(el('p', 'empty', 'no group changed size'))
  const t = root.appendChild(el('table', 'counts diff'))
  const head = t.appendChild(el('tr'))
  for (const h of ['change', 'base', 'now', 'state', 'function']) head.appendChild(el('th', undefined, h))
  for (const d of s.diff) {
    const tr = t.appendChild(el('tr', d.delta > 0 ? 'grew' : 'shrank'))
    tr.appendChild(el('td', 'n delta', d.delta > 0 ? `+${d.delta}` : String(d.delta)))
    tr.appendChild(el('td', 'n base', String(d.base)))
    tr.appendChild(el('td', 'n current', String(d.current)))
    tr.appendChild(el('td', 'state', d.state))
    tr.appendChild(el('td', 'name', d.function))
  }
}

function renderPage(p: Page): void {
  const root = $('groups')
  clear(root)
  const last = Math.min(p.total, p.offset + p.groups.length)
  root.appendChild(el('h2', undefined, `Groups ${p.total ? p.offset + 1 : 0}–${last} of ${p.total}`))
  const pager = el('div', 'pager')
  const move = (to: number) => {
    const q = query()
    q.set('offset', String(Math.max(0, to)))
    history.pushState(null, '', `/explorer?${q}`)
    void loadGroups()
  }
  const prev = pager.appendChild(el('button', 'prev', '← previous'))
  prev.disabled = p.offset === 0
  prev.addEventListener('click', () => move(p.offset - PAGE))
  const next = pager.appendChild(el('button', 'next', 'next →'))
  next.disabled = last >= p.total
  next.addEventListener('click', () => move(p.offset + PAGE))
  root.appendChild(pager)
  const list = root.appendChild(el('div', 'list'))
  for (const g of p.groups) list.appendChild(renderGroup(g))
}

async function loadGroups(): Promise<void> {
  const q = query()
  const f = filterQuery(q)
  f.set('offset', q.get('offset') ?? '0')
  f.set('limit', String(PAGE))
  try {
    renderPage(await getJSON<Page>('/api/dump/groups', f))
  } catch (e) {
    showError(e)
  }
}

function fillForm(q: URLSearchParams): void {
  for (const k of FILTERS) ($(`f-${k}`) as HTMLInputElement).value = q.get(k) ?? ''
}

async function load(): Promise<void> {
  const q = query()
  fillForm(q)
  const f = filterQuery(q)
  $<HTMLIFrameElement>('waitfor').src = `/api/dump/waitfor.svg?${f}`
  try {
    const [s] = await Promise.all([getJSON<Summary>('/api/dump/summary', f), loadGroups()])
    renderSummary(s)
    renderDiff(s)
  } catch (e) {
    showError(e)
  }
}

async function start(): Promise<void> {
  const inputs = await getJSON<Input[]>('/api/dump/inputs', new URLSearchParams())
  const sel = $<HTMLSelectElement>('input')
  for (const i of inputs) {
    const o = el('option', undefined, `${i.name} (${i.goroutines} goroutines)${i.base ? ` vs ${i.base}` : ''}`)
    o.value = String(i.input)
    sel.appendChild(o)
  }
  sel.value = query().get('input') ?? '0'
  sel.addEventListener('change', () => {
    const q = new URLSearchParams()
    q.set('input', sel.value)
    go(q)
  })
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault()
    const q = new URLSearchParams()
    q.set('input', sel.value)
    for (const k of FILTERS) {
      const v = ($(`f-${k}`) as HTMLInputElement).value.trim()
      if (v) q.set(k, v)
    }
    go(q)
  })
  $('reset').addEventListener('click', () => go(new URLSearchParams({ input: sel.value })))
  window.addEventListener('popstate', () => void load())
  await load()
}

start().catch(showError)
