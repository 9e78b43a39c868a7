// JSON text produced piece by piece: the same bytes as `jsonText(object)` (JSON.stringify with an
// indent of 2, C1 controls escaped), but one array element at a time, so a report holding
// millions of goroutine ids reaches its file or pipe without ever being one string.
import { jsonText } from './terminal'

/** A top-level array whose elements are read only as they are written. */
export class Items {
  constructor(readonly items: Iterable<unknown>) {}
}

/** Pieces are joined until they reach this many UTF-16 units, then handed out. */
const PIECE = 64 * 1024

/** `jsonText` of one value, nested `depth` levels deep (indent 2 per level), without its newline. */
function nested(v: unknown, depth: number): string {
  const t = jsonText(v)
  return t.slice(0, -1).replace(/\n/g, '\n' + '  '.repeat(depth))
}

/**
 * The JSON text of an object with these fields (in order), as `jsonText` prints it. A field whose
 * value is `Items` is written element by element; a field whose value is undefined is left out,
 * as JSON.stringify does.
 */
export function* jsonChunks(fields: Iterable<[string, unknown]>): Generator<string> {
  let buf = '{'
  let first = true
  for (const [k, v] of fields) {
    if (v === undefined) continue
    buf += `${first ? '' : ','}\n  ${JSON.stringify(k)}: `
    first = false
    if (!(v instanceof Items)) {
      buf += nested(v, 1)
      continue
    }
    let n = 0
    for (const el of v.items) {
      buf += `${n++ === 0 ? '[' : ','}\n    ${el === undefined ? 'null' : nested(el, 2)}`
      if (buf.length >= PIECE) {
        yield buf
        buf = ''
      }
    }
    buf += n === 0 ? '[]' : '\n  ]'
  }
  yield buf + (first ? '}\n' : '\n}\n')
}
