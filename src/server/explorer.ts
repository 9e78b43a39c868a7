// `goroscope serve`: the goroutine explorer's HTTP side. One loaded `StackDump` per input (parsed
// once); each filter set is analysed once by the core (recent ones kept) and every answer is
// read from that `Findings` buffer: the summary (states, classes, hung groups, leaks, locks, and
// with `--diff BASE` the groups that grew since the base dump, the core's `stacks --diff`), one
// page of groups (`offset`, `limit`; a group's ids cut to IDS: never every id to the browser),
// and the wait-for graph (JSON, or SVG drawn by the bundled Graphviz). Routes: `/explorer`,
// `/explorer/assets/…`, `/api/dump/{inputs,summary,groups,waitfor,waitfor.svg}`; every query
// names its input (`input=N`) and the filters as `goroscope stacks` names them (`state`,
// `match`, `label` (repeated KEY=VALUE), `min-wait`, `sort`, `similarity`). The index page and
// the bundles' pages are bundle.ts.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Group, WaitFor } from '../generated/stacks-json'
import { packageRoot, pageScript } from '../render/assets'
import { dotToSvg } from '../render/svg'
import { waitForDot } from '../render/waitfor-dot'
import { StackDump, type Findings, type StacksOptions } from '../stacks'
import { ParamError } from './params'
import { redirect, Router } from './router'
import type { Answer } from './views'

/** Ids of a group sent to the browser; the rest is counted. */
export const IDS = 50
/** Groups per page at most. */
export const MAX_PAGE = 500
const CACHED = 8
const JSON_TYPE = 'application/json; charset=utf-8'
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

const json = (v: unknown): Answer => ({ status: 200, type: JSON_TYPE, body: JSON.stringify(v) })

/** The base dump of `--diff BASE`, parsed once for every input. */
export interface BaseDump {
  name: string
  dump: StackDump
}

/** One input of the explorer: its parsed dump and the analyses of recent filter sets. */
export class DumpInput {
  private readonly cache = new Map<string, Promise<Findings>>()
  private constructor(readonly name: string, readonly dump: StackDump, readonly base?: BaseDump) {}

  /** A dump file. */
  static async open(file: string, base?: BaseDump): Promise<DumpInput> {
    return new DumpInput(path.basename(file), await StackDump.open(file), base)
  }

  /** A dump held in memory (an entry of a bundle), named `bundle:entry`. */
  static async fromBuffer(name: string, data: Buffer, base?: BaseDump): Promise<DumpInput> {
    return new DumpInput(name, await StackDump.open(data), base)
  }

  /** The name of the dump it is compared with (`--diff`), or null. */
  get baseName(): string | null {
    return this.base?.name ?? null
  }

  /** The findings for `o`, analysed once per distinct filter set. */
  findings(o: StacksOptions): Promise<Findings> {
    const key = JSON.stringify(o)
    let f = this.cache.get(key)
    if (f) {
      this.cache.delete(key)
    } else {
      f = this.dump.analyze({ ...o, diff: this.base?.dump })
      f.catch(() => this.cache.delete(key))
    }
    this.cache.set(key, f)
    while (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value!)
    return f
  }
}

/** A request's filters, in `goroscope stacks` terms; a bad value is a 400 naming it. */
export function filtersOf(q: URLSearchParams): StacksOptions {
  const o: StacksOptions = {}
  const state = q.get('state')
  if (state) o.state = state
  const match = q.get('match')
  if (match) o.match = match
  const mw = q.get('min-wait')
  if (mw) {
    if (!/^\d{1,6}$/.test(mw)) throw new ParamError(`min-wait must be a whole number of minutes, not ${JSON.stringify(mw)}`)
    o.minWait = Number(mw)
  }
  const labels: Record<string, string> = {}
  for (const l of q.getAll('label').filter(Boolean)) {
    const i = l.indexOf('=')
    if (i <= 0) throw new ParamError(`label must be KEY=VALUE, not ${JSON.stringify(l)}`)
    labels[l.slice(0, i)] = l.slice(i + 1)
  }
  if (Object.keys(labels).length) o.labels = labels
  const sort = q.get('sort')
  if (sort) {
    if (sort !== 'count' && sort !== 'wait') throw new ParamError(`sort must be count or wait, not ${JSON.stringify(sort)}`)
    o.sort = sort
  }
  return o
}

function int(q: URLSearchParams, name: string, def: number, max: number): number {
  const v = q.get(name)
  if (v === null || v === '') return def
  if (!/^\d{1,9}$/.test(v)) throw new ParamError(`${name} must be a whole number, not ${JSON.stringify(v)}`)
  return Math.min(Number(v), max)
}

/** A group as the browser gets it: its first IDS ids and how many more there are. */
export function trimGroup(g: Group): Group & { idsMore: number } {
  return { ...g, ids: g.ids.slice(0, IDS), idsMore: Math.max(0, g.ids.length - IDS) }
}

function asset(file: string): string {
  return fs.readFileSync(path.join(packageRoot(), 'dist', 'pages', file), 'utf8')
}

/** The explorer's routes over `inputs` (in command-line order). */
export function explorerRoutes(inputs: DumpInput[]): Router {
  const r = new Router()
  const input = (q: URLSearchParams): DumpInput => {
    const n = int(q, 'input', 0, 1e6)
    if (n >= inputs.length) throw new ParamError(`input must be 0..${inputs.length - 1}, not ${n}`)
    return inputs[n]
  }
  const toPage = () => redirect('/explorer')
  r.get('/ui', toPage).get('/ui/', toPage)
  const page = asset('explorer.html')
  r.get('/explorer', () => ({ status: 200, type: 'text/html; charset=utf-8', body: page, headers: { 'Content-Security-Policy': PAGE_CSP } }))
  const js = asset('explorer.js')
  const css = asset('explorer.css')
  r.get('/explorer/assets/explorer.js', () => ({ status: 200, type: 'text/javascript; charset=utf-8', body: js }))
  r.get('/explorer/assets/explorer.css', () => ({ status: 200, type: 'text/css; charset=utf-8', body: css }))
  r.get('/favicon.ico', () => ({ status: 204, type: 'image/x-icon', body: '' }))
  r.get('/api/dump/inputs', () => json(inputs.map((d, i) => ({ input: i, name: d.name, goroutines: d.dump.goroutines, truncated: d.dump.truncated, base: d.baseName }))))
  r.get('/api/dump/summary', async (u) => {
    const q = u.searchParams
    const f = await input(q).findings(filtersOf(q))
    const w = f.waitFor
    return json({
      goroutines: f.goroutines,
      matched: f.matched,
      leaked: f.leaked,
      states: f.states,
      classes: f.classes,
      groupCount: f.groupCount,
      hung: f.hung.slice(0, MAX_PAGE).map(trimGroup),
      hungCount: f.hung.length,
      leaks: f.leaks.slice(0, MAX_PAGE).map((l) => ({ ...l, ids: l.ids.slice(0, IDS), idsMore: Math.max(0, l.ids.length - IDS) })),
      locks: f.contention.length,
      cycles: w?.cycles ?? [],
      // with --diff: the groups that changed size since the base, largest growth first
      base: input(q).baseName,
      diff: f.diff ? f.diff.filter((d) => d.delta !== 0).slice(0, MAX_PAGE) : null,
      warnings: f.warnings.slice(0, 20),
      truncated: f.truncated,
    })
  })
  r.get('/api/dump/groups', async (u) => {
    const q = u.searchParams
    const f = await input(q).findings(filtersOf(q))
    const total = f.groupCount
    const offset = int(q, 'offset', 0, total)
    const limit = int(q, 'limit', 50, MAX_PAGE)
    const groups = []
    for (let i = offset; i < Math.min(total, offset + limit); i++) groups.push(trimGroup(f.group(i)))
    return json({ total, offset, groups })
  })
  const waitFor = async (q: URLSearchParams): Promise<WaitFor> => (await input(q).findings(filtersOf(q))).waitFor ?? { nodes: [], edges: [], cycles: [] }
  r.get('/api/dump/waitfor', async (u) => json(await waitFor(u.searchParams)))
  r.get('/api/dump/waitfor.svg', async (u) => {
    const d = input(u.searchParams)
    const w = await waitFor(u.searchParams)
    const svg = await dotToSvg(waitForDot(w, `wait-for graph of ${d.name}: ${w.cycles.length} cycle(s)`))
    // its only script is our pan/zoom (as the web UI's call graph), allowed by hash
    const hash = createHash('sha256').update(pageScript('svg-panzoom'), 'utf8').digest('base64')
    const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; frame-ancestors 'self'`
    return { status: 200, type: 'image/svg+xml; charset=utf-8', body: svg, headers: { 'Content-Security-Policy': csp } }
  })
  return r
}
