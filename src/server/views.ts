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
  body: string
  /** Extra response headers (a view's own Content-Security-Policy). */
  headers?: Record<string, string>
}

const JSON_TYPE = 'application/json; charset=utf-8'

function json(v: unknown): Answer {
  return { status: 200, type: JSON_TYPE, body: JSON.stringify(v) }
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
    // The disasm report is not in this build's driver yet.
    views: ['flamegraph', 'graph', 'top', 'peek', 'source'],
  })
}

/** `top`: pprof's web UI asks for 500 rows unless the URL says `n=`. */
export async function top(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const flags = flagsOf(q)
  const r = await s.report(['-top', ...(q.has('n') ? [] : ['-nodecount=500']), ...flags], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, rows: withPercentLabels(r.top, r.text), text: r.text })
}

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

/** `peek`: callers and callees of what `f` matches, by line, focused on it (pprof's peek view). */
export async function peek(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const r = await s.report([`-peek=${q.get('f') ?? ''}`, '-lines', ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, text: r.text })
}

/**
 * `source`: the `-weblist` blocks (the numbers `goroscope list` prints) of what `f` matches, with
 * `f` also the focus, as pprof's web UI asks its driver (`weblist F` with the URL's options).
 */
export async function source(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const r = await s.report([`-weblist=${q.get('f') ?? ''}`, ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total, blocks: r.list })
}

/** The call graph's legend and counts; the drawing is `graphSvg`. */
export async function graph(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const r = await s.report(['-dot', ...flagsOf(q)], signal)
  return json({ legend: r.legend, warnings: r.warnings, total: r.total })
}

/**
 * The call graph as the pan/zoom SVG document `goroscope svg` writes (bundled Graphviz, our
 * pan/zoom script inline), shown by the page in a same-origin frame. Its only script is ours,
 * allowed by hash.
 */
export async function graphSvg(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
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
}

/**
 * The flame graph: the core's flame JSON of the refined profile, with the legend of the same
 * refine (the legend of `top` with the same flags). With `-diff_base`, `after` is the tree of the new profile alone (the base samples,
 * labelled `pprof::base`, ignored) and `flame` the difference, for the page's colouring.
 */
export async function flame(s: ViewSession, q: URLSearchParams, signal: AbortSignal): Promise<Answer> {
  const flags = flagsOf(q)
  const [tree, legend, after] = await Promise.all([
    s.flame(flags, signal),
    s.report(['-top', ...flags], signal),
    s.diff ? s.flame([...flags, '-tagignore=pprof::base=true'], signal) : Promise.resolve('null'),
  ])
  // The trees are JSON already (and large): spliced in, not parsed again.
  const head = JSON.stringify({ legend: legend.legend, warnings: legend.warnings, total: legend.total })
  return { status: 200, type: JSON_TYPE, body: `${head.slice(0, -1)},"flame":${tree},"after":${after}}` }
}
