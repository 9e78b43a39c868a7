// The web UI's state in the URL, as pprof's web UI spells it (internal/driver/config.go: each
// option's `urlparam`): `?f=` focus, `i=` ignore, `h=` hide, `s=` show, `sf=` show_from,
// `tf=` tagfocus, `si=` sample_index, … One table says, for each URL parameter, which pprof
// option it sets, how it becomes a pprof flag for the core, and whether pprof saves it in
// settings.json (its `json` name is the option name; pprof does not save sample_index).

export interface Param {
  /** The URL parameter (`f`). */
  url: string
  /** The pprof option (`focus`): also its name in settings.json. */
  option: string
  kind: 'string' | 'number' | 'bool'
  /** Saved in a settings.json config (pprof saves what has a `json` name). */
  saved: boolean
}

export const PARAMS: readonly Param[] = [
  { url: 'f', option: 'focus', kind: 'string', saved: true },
  { url: 'i', option: 'ignore', kind: 'string', saved: true },
  { url: 'prunefrom', option: 'prune_from', kind: 'string', saved: true },
  { url: 'h', option: 'hide', kind: 'string', saved: true },
  { url: 's', option: 'show', kind: 'string', saved: true },
  { url: 'sf', option: 'show_from', kind: 'string', saved: true },
  { url: 'tf', option: 'tagfocus', kind: 'string', saved: true },
  { url: 'ti', option: 'tagignore', kind: 'string', saved: true },
  { url: 'ts', option: 'tagshow', kind: 'string', saved: true },
  { url: 'th', option: 'taghide', kind: 'string', saved: true },
  { url: 'si', option: 'sample_index', kind: 'string', saved: false },
  { url: 'unit', option: 'unit', kind: 'string', saved: true },
  { url: 'n', option: 'nodecount', kind: 'number', saved: true },
  { url: 'nf', option: 'nodefraction', kind: 'number', saved: true },
  { url: 'ef', option: 'edgefraction', kind: 'number', saved: true },
  { url: 'g', option: 'granularity', kind: 'string', saved: true },
  { url: 'sort', option: 'sort', kind: 'string', saved: true },
  { url: 'trim', option: 'trim', kind: 'bool', saved: true },
  { url: 'mean', option: 'mean', kind: 'bool', saved: true },
  { url: 'norm', option: 'normalize', kind: 'bool', saved: true },
  { url: 'dropneg', option: 'drop_negative', kind: 'bool', saved: true },
  { url: 'calltree', option: 'call_tree', kind: 'bool', saved: true },
  { url: 'rel', option: 'relative_percentages', kind: 'bool', saved: true },
  { url: 'compact', option: 'compact_labels', kind: 'bool', saved: true },
  { url: 'noinlines', option: 'noinlines', kind: 'bool', saved: true },
  { url: 'showcolumns', option: 'showcolumns', kind: 'bool', saved: true },
]

const GRANULARITIES = ['functions', 'filefunctions', 'files', 'lines', 'addresses']

/** Thrown for a URL parameter the core would misread (answered with 400). */
export class ParamError extends Error {}

function flagOf(p: Param, v: string): string {
  if (p.option === 'granularity') {
    if (!GRANULARITIES.includes(v)) throw new ParamError(`g=${v}: granularity is one of ${GRANULARITIES.join(', ')}`)
    return `-${v}`
  }
  if (p.option === 'sort') {
    if (v !== 'cum' && v !== 'flat') throw new ParamError(`sort=${v}: sort is cum or flat`)
    return v === 'cum' ? '-cum' : '-flat'
  }
  if (p.kind === 'bool') {
    if (v !== 'true' && v !== 'false') throw new ParamError(`${p.url}=${v}: ${p.option} is true or false`)
    return `-${p.option}=${v}`
  }
  if (p.kind === 'number' && !(v.trim() !== '' && Number.isFinite(Number(v)))) throw new ParamError(`${p.url}=${v}: ${p.option} is a number`)
  return `-${p.option}=${v}`
}

/** The pprof flags (`-focus=main`) of a query's refine parameters, in the table's order. */
export function flagsOf(q: URLSearchParams): string[] {
  const flags: string[] = []
  for (const p of PARAMS) {
    const v = q.get(p.url)
    if (v !== null && v !== '') flags.push(flagOf(p, v))
  }
  return flags
}

/** A query's saved options by their settings.json names (pprof's namedConfig fields). */
export function savedOptions(q: URLSearchParams): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const p of PARAMS) {
    const v = q.get(p.url)
    if (!p.saved || v === null || v === '') continue
    flagOf(p, v) // the same check as for a report
    out[p.option] = p.kind === 'number' ? Number(v) : p.kind === 'bool' ? v === 'true' : v
  }
  return out
}

/** The query string of a saved config (the inverse of savedOptions; unknown names are skipped). */
export function queryOf(options: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams()
  for (const p of PARAMS) {
    const v = options[p.option]
    if (p.saved && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && v !== '') q.set(p.url, String(v))
  }
  return q
}
