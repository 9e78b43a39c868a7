// The computed views: each answers one `/api/…` request from the input's ViewSession with the
// refine flags of its query (params.ts), as JSON the page renders with textContent only. The
// numbers are the core's report fields and pprof's own labels, so a view shows what the CLI
// prints for the same flags (`top`: `goroscope top -nodecount=500 FLAGS`, `peek`: `goroscope
// peek F -focus=F -lines FLAGS`, `source`: `goroscope list F -focus=F FLAGS`, as pprof's web UI
// asks its driver).
import { createHash } from 'node:crypto'

import { pageScript } from '../render/assets'
import { markHung } from '../render/dot'
import { dotToSvg } from '../render/svg'
import { flagsOf } from './params'
import type { ViewSession } from './session'

export interface Answer {
  status: number
  type: string
  body: string | Uint8Array
  /** Extra response headers (a view's own Content-Security-Policy). */
  headers?: Record<string, string>
}

const JSON_TYPE = 'application/json; charset=utf-8'

function json(v: unknown): Answer {
  return { status: 200, type: JSON_TYPE, body: JSON.stringify(v) }
}

type View = (s: ViewSession, q: URLSearchParams, signal: AbortSignal) => Promise<Answer>

/**
 * A view whose successful answers the session remembers by their query (its most recent
 * CACHED), so asking again costs neither the report nor its serialization (peek's text is
 * megabytes, the graph's SVG a Graphviz run). Concurrent first requests each serialize; the
 * report itself is shared by the session.
 */
function remembered(name: string, view: View): View {
  return async (s, q, signal) => {
    const key = name + JSON.stringify([...q.entries()].sort())
    const hit = s.answered<Answer>(key)
    if (hit) return hit
    const a = await view(s, q, signal)
    s.remember(key, a)
    return a
  }
}

/** What the page needs before its first view: sample types, inputs, whether it is a diff. */
export function info(s: ViewSession): Answer {
  const i = s.profile.info
  return json({
    inputs: s.inputs,
    flags: s.flags,
    sampleTypes: i.sampleTypes.map((t) => t.type),
    defaultSampleType: i.defaultSampleType || i.sampleTypes[i.sampleTypes.length - 1]?.type || '',
    diff: s.diff,
    fromStacks: s.fromStacks,
    views: ['flamegraph', 'graph', 'top', 'peek', 'source', 'disasm'],
  })
}

/** `top`: pprof's web UI asks for 500 rows unless the URL says `n=`. */
export const top = remembered('top', async (s, q, signal) => {
  const flags = flagsOf(q)
  const r = await s.report(['-top', ...(q.has('n') ? [] : ['-nodecount=500']), ...flags], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, rows: withPercentLabels(r.top, r.text), text: r.text })
})

/**
 * The rows with their percentages as the text prints them (`85.38%`, `0.017%`): the report's
 * lines after its column header are its rows, in order, and their first five fields are the
 * numbers.
 */
function withPercentLabels<R extends object>(rows: R[], text: string): Array<R & { flatPctLabel: string; sumPctLabel: string; cumPctLabel: string }> {
  const lines = text.split('\n')
  const head = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l))
  return rows.map((r, i) => {
    const f = head < 0 ? [] : (lines[head + 1 + i] ?? '').trim().split(/\s+/)
    return { ...r, flatPctLabel: f[1] ?? '', sumPctLabel: f[2] ?? '', cumPctLabel: f[4] ?? '' }
  })
}

/** Lines of peek's text the page is sent unless it asks for `all=1`. */
export const PEEK_LINES = 2000

/**
 * `peek`: callers and callees of what `f` matches, by line, focused on it (pprof's peek view).
 * The page gets the first PEEK_LINES lines of the text (with `lines`, how many there are) and
 * asks for the rest (`all=1`) only when told to: on large.cpu `f=main.next` is 6.8 MB.
 */
export const peek = remembered('peek', async (s, q, signal) => {
  const r = await s.report([`-peek=${q.get('f') ?? ''}`, '-lines', ...flagsOf(q)], signal)
  let text = r.text
  let lines = 0
  let cut = -1
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    if (++lines === PEEK_LINES) cut = at + 1
  }
  if (text.length > 0 && !text.endsWith('\n')) lines++
  if (q.get('all') !== '1' && cut >= 0 && cut < text.length) text = text.slice(0, cut)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, text, lines })
})

/**
 * `source`: the `-weblist` blocks (the numbers `goroscope list` prints) of what `f` matches, with
 * `f` also the focus, as pprof's web UI asks its driver (`weblist F` with the URL's options).
 */
export async function source(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const r = await s.report([`-weblist=${q.get('f') ?? ''}`, ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, blocks: r.list })
}

/**
 * `disasm`: the annotated assembly of the symbols `f` matches (`goroscope disasm F FLAGS`), as
 * pprof's web UI shows it: the report's text, here with its instruction lines split into fields.
 */
export async function disasm(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const r = await s.report([`-disasm=${q.get('f') ?? ''}`, ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, text: r.text })
}

/** The call graph's legend and counts; the drawing is `graphSvg`. */
export const graph = remembered('graph', async (s, q, signal) => {
  const r = await s.report(['-dot', ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total })
})

/**
 * The call graph as the pan/zoom SVG document `goroscope svg` writes (bundled Graphviz, our
 * pan/zoom script inline), shown by the page in a same-origin frame. Its only script is ours,
 * allowed by hash.
 */
export const graphSvg = remembered('graph.svg', async (s, q, signal) => {
  const r = await s.report(['-dot', ...flagsOf(q)], signal)
  // a goroutine dump's graph marks where hung goroutines are parked, as `goroscope svg` does
  const svg = await dotToSvg(s.fromStacks ? markHung(r.text, s.profile.hungFunctions, s.minWait) : r.text)
  const hash = createHash('sha256').update(pageScript('svg-panzoom'), 'utf8').digest('base64')
  return {
    status: 200,
    type: 'image/svg+xml; charset=utf-8',
    body: svg,
    headers: { 'Content-Security-Policy': `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; frame-ancestors 'self'` },
  }
})

/**
 * The flame graph: the core's flame report of the refined profile (the folded tree pruned to
 * what the page can draw, its legend and total) as the bytes the page reads in place
 * (src/pages/webui/flame-data.ts). With `-diff_base` the tree carries the base samples' share
 * of every frame, for the page's colouring.
 */
export const flame = remembered('flame', async (s, q, signal) => {
  return { status: 200, type: 'application/octet-stream', body: await s.flame(flagsOf(q), signal) }
})
