// Marks on pprof's DOT graphs of goroutine dumps: the nodes where goroutines waiting at least
// --min-wait minutes are parked get a thick red border, a note in their tooltip, and the legend
// says what the red means. The DOT itself comes from the core (`-dot`), byte for byte as pprof's.
import type { HungFunction } from '../profile'

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

/** The pprof DOT of a dump with its hung nodes marked, and a legend line saying so. */
export function markHung(dot: string, hung: HungFunction[], minWait: number): string {
  const notes = new Map<string, string>()
  for (const h of hung) {
    notes.set(h.function, `${plural(h.goroutines, 'goroutine', 'goroutines')} parked here ${minWait}+ minutes (longest ${plural(h.maxWaitMinutes, 'minute', 'minutes')})`)
  }
  dot = highlightDotNodes(dot, notes)
  const line =
    hung.length === 0
      ? `No goroutine has waited ${minWait}+ minutes`
      : `Red border: parked goroutines waiting ${minWait}+ minutes (${plural(hung.reduce((a, h) => a + h.goroutines, 0), 'goroutine', 'goroutines')})`
  return dot.replace(/^(subgraph cluster_L \{ "(?:[^"\\]|\\.)*" \[.*? label="(?:[^"\\]|\\.)*)"/m, (_m, head: string) => `${head}${line}\\l"`)
}

/**
 * Mark the nodes of a pprof DOT graph whose function is in `functions` (by the node tooltip,
 * `name (value)` or `name file:line (value)`): a thick red border and a ` [hung]`-style
 * tooltip note. Used for goroutine dumps: the functions where hung goroutines are parked.
 */
export function highlightDotNodes(dot: string, functions: Map<string, string>): string {
  if (functions.size === 0) return dot
  return dot.replace(/^(N\d+ \[label=.*? tooltip=")((?:[^"\\]|\\.)*)(" .*)$/gm, (line, head: string, tip: string, tail: string) => {
    const m = / \(([^()]|\\.)*\)$/.exec(tip)
    const name = unescapeDot(m ? tip.slice(0, m.index) : tip)
    let note: string | undefined
    for (const [fn, n] of functions) {
      if (name === fn || name.startsWith(fn + ' ')) {
        note = n
        break
      }
    }
    if (note === undefined) return line
    const t = tail
      .replace(/ color="[^"]*"/, ' color="#d00000"')
      .replace(/ fillcolor="[^"]*"/, ' fillcolor="#ffd6d6"')
      .replace(/\]\s*$/, ' penwidth=4 style="filled,bold"]')
    return head + tip + escapeDot(' — ' + note) + t
  })
}

function unescapeDot(s: string): string {
  return s.replace(/\\(.)/g, '$1')
}

function escapeDot(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\l')
}
