// The graph view: the call graph SVG (bundled Graphviz, drawn by the server exactly as
// `goroscope svg` draws it, with its pan/zoom) in a same-origin frame. Clicking a node focuses
// on its function; right-click opens the refine menu. A node's function is the name in its
// tooltip (`time.Now (205.17s)`).
import { el } from './dom'
import { openMenu } from './menu'
import { exact, refine } from './state'

function nodeName(t: EventTarget | null): string | null {
  const g = (t as Element | null)?.closest?.('g.node')
  const a = g?.querySelector('a')
  const tip = a?.getAttribute('xlink:title') ?? a?.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? g?.querySelector('title')?.textContent
  return tip ? tip.replace(/ \([^()]*\)$/, '') : null
}

export function renderGraph(root: HTMLElement, q: URLSearchParams): void {
  const frame = el('iframe', 'graph')
  frame.title = 'call graph'
  const s = q.toString()
  frame.src = `../api/graph.svg${s ? '?' + s : ''}`
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument
    if (!doc) return
    let down: { x: number; y: number } | null = null
    doc.addEventListener('mousedown', (e) => (down = { x: e.clientX, y: e.clientY }))
    doc.addEventListener('click', (e) => {
      // a drag pans; only a click without moving focuses
      if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4) return
      const name = nodeName(e.target)
      if (name) {
        e.preventDefault()
        refine('f', exact(name))
      }
    })
    doc.addEventListener('contextmenu', (e) => {
      const name = nodeName(e.target)
      const r = frame.getBoundingClientRect()
      if (name) openMenu(e, name, { x: r.left, y: r.top })
    })
  })
  root.replaceChildren(frame)
}
