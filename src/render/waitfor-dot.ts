// The wait-for graph (findings `waitFor`) as DOT, drawn by the bundled Graphviz like the call
// graph: goroutines are boxes, locks diamonds (their waiter count inside), what a holder is
// blocked in a note. Edges carry their evidence as the tooltip (SVG <title>: shown on hover),
// candidate holders their rank; cycles (likely deadlocks) are red and bold. Every name from the
// dump goes through `quote`, and Graphviz escapes it again for SVG, so names stay inert.
import type { WaitFor } from '../generated/stacks-json'

/** A DOT double-quoted string: backslashes, quotes and newlines escaped. */
function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n') + '"'
}

/** Short form of a function for a node: `gx/…/yamux.(*Session).Close` → `yamux.(*Session).Close`. */
function short(f: string): string {
  const i = f.lastIndexOf('/', f.indexOf('('))
  return i >= 0 && f.indexOf('(') >= 0 ? f.slice(i + 1) : f.slice(f.lastIndexOf('/') + 1)
}

const RED = '#c62828'

export function waitForDot(w: WaitFor, title: string): string {
  const out: string[] = [`digraph waitfor {`, `label=${quote(title)}; labelloc=t; rankdir=LR; fontname="sans-serif";`, `node [fontname="sans-serif" fontsize=11]; edge [fontname="sans-serif" fontsize=9];`]
  w.nodes.forEach((n, i) => {
    const red = n.inCycle ? ` color="${RED}" penwidth=2.5 fontcolor="${RED}"` : ''
    const id = `id=${quote(`n${i}`)} class=${quote(`${n.kind}${n.inCycle ? ' cycle' : ''}`)}`
    switch (n.kind) {
      case 'goroutine':
        out.push(`n${i} [shape=box ${id} label=${quote(`goroutine ${n.goroutine}\n[${n.label}]`)} tooltip=${quote(`goroutine ${n.goroutine} [${n.label}]`)}${red}];`)
        break
      case 'lock':
        out.push(`n${i} [shape=diamond style=filled fillcolor="#fff3e0" ${id} label=${quote(`lock ${n.lock}\n${short(n.label)}\n${n.count} waiting`)} tooltip=${quote(`lock ${n.lock} taken in ${n.label}: ${n.count} waiters`)}${red}];`)
        break
      case 'waiters':
        out.push(`n${i} [shape=box style=dashed ${id} label=${quote(n.label)} tooltip=${quote(n.label)}];`)
        break
      default:
        out.push(`n${i} [shape=note style=filled fillcolor="#e3f2fd" ${id} label=${quote(short(n.label))} tooltip=${quote(n.label)}];`)
    }
  })
  w.edges.forEach((e, i) => {
    const tip = quote(e.evidence.join('\n'))
    const red = e.inCycle ? ` color="${RED}" penwidth=2.5` : ''
    const label = e.kind === 'heldBy' ? ` label=${quote(`held by? #${e.rank + 1} (${e.score.toFixed(1)})`)}` : e.kind === 'blockedIn' ? ' label="blocked in" style=dotted' : ''
    const weak = e.kind === 'heldBy' && e.rank > 0 ? ' style=dashed color="#888888"' : ''
    out.push(`n${e.from} -> n${e.to} [id=${quote(`e${i}`)} class=${quote(`${e.kind}${e.inCycle ? ' cycle' : ''}`)} tooltip=${tip} edgetooltip=${tip} labeltooltip=${tip}${label}${weak}${red}];`)
  })
  out.push('}')
  return out.join('\n') + '\n'
}
