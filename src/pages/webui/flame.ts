// The flame graph view (icicle: root on top): the core's flame JSON of the refined profile.
// A click zooms into a frame (its ancestors stay above, dimmed), right-click opens the refine
// menu, hovering shows the frame's value and share. With -diff_base the frames are the new
// profile's and their colour says how much they grew (red) or shrank (green) against the base.
import { el } from './dom'
import { formatValue, percent } from './format'
import { openMenu } from './menu'

export interface FlameTree {
  title: string
  types: Array<{ type: string; unit: string }>
  defaultType: number
  names: string[]
  name: number[]
  parent: number[]
  values: number[][]
}

const ROW = 18
const MIN_PX = 0.5

function hue(name: string): string {
  // a warm colour per package, stable across renders
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  const pkg = dot > 0 ? name.slice(0, dot) : name
  let h = 0
  for (let i = 0; i < pkg.length; i++) h = (h * 31 + pkg.charCodeAt(i)) >>> 0
  return `hsl(${20 + (h % 40)}, ${70 + (h % 20)}%, ${62 + (h % 14)}%)`
}

/** Per node of `t`, the node of `net` on the same path (-1: none). */
function matchPaths(t: FlameTree, net: FlameTree): Int32Array {
  const key = (tr: FlameTree, keys: string[], n: number) => (n === 0 ? '' : keys[tr.parent[n]] + '\u0000' + tr.names[tr.name[n]])
  const netKeys: string[] = []
  const byKey = new Map<string, number>()
  for (let n = 0; n < net.name.length; n++) {
    netKeys.push(key(net, netKeys, n))
    byKey.set(netKeys[n], n)
  }
  const keys: string[] = []
  const out = new Int32Array(t.name.length)
  for (let n = 0; n < t.name.length; n++) {
    keys.push(key(t, keys, n))
    out[n] = byKey.get(keys[n]) ?? -1
  }
  return out
}

export function renderFlame(root: HTMLElement, tree: FlameTree, type: string, net: FlameTree | null): void {
  const N = tree.name.length
  let ti = tree.types.findIndex((t) => t.type === type)
  if (ti < 0) ti = Math.min(Math.max(tree.defaultType, 0), tree.types.length - 1)
  const v = tree.values[ti] ?? []
  const unit = tree.types[ti]?.unit ?? ''
  const kids: number[][] = Array.from({ length: N }, () => [])
  for (let n = 1; n < N; n++) kids[tree.parent[n]].push(n)
  const nm = (n: number) => (n === 0 ? 'root' : tree.names[tree.name[n]])
  for (const k of kids) k.sort((a, b) => v[b] - v[a] || (nm(a) < nm(b) ? -1 : 1))
  const match = net ? matchPaths(tree, net) : null
  const nv = net ? (net.values[ti] ?? []) : null
  const total = v[0] ?? 0

  const chart = el('div', 'flame')
  const tip = document.getElementById('tip')!
  root.replaceChildren(chart)
  let focus = 0

  function color(n: number): string {
    if (!match || !nv) return n === 0 ? '#d8d8d8' : hue(nm(n))
    const m = match[n]
    const d = m < 0 ? v[n] : nv[m]
    const f = v[n] ? Math.min(1, Math.abs(d) / Math.abs(v[n])) : 0
    const l = 92 - Math.round(f * 40)
    return d > 0 ? `hsl(0, 80%, ${l}%)` : d < 0 ? `hsl(120, 60%, ${l}%)` : 'hsl(0, 0%, 88%)'
  }

  function frame(n: number, x: number, w: number, depth: number, ancestor: boolean): void {
    const f = el('div', ancestor ? 'frame anc' : 'frame', nm(n))
    f.style.left = `${x}px`
    f.style.width = `${Math.max(w - 1, 0)}px`
    f.style.top = `${depth * ROW}px`
    f.style.background = color(n)
    f.dataset.node = String(n)
    f.dataset.value = String(v[n])
    if (match && nv) f.dataset.change = String(match[n] < 0 ? v[n] : nv[match[n]])
    chart.appendChild(f)
  }

  function draw(): void {
    chart.replaceChildren()
    const width = chart.clientWidth || root.clientWidth || 1000
    // the focused frame's ancestors, full width
    const path: number[] = []
    for (let n = focus; n > 0; n = tree.parent[n]) path.unshift(n)
    path.unshift(0)
    path.slice(0, -1).forEach((n, d) => frame(n, 0, width, d, true))
    const base = path.length - 1
    const scale = v[focus] ? width / v[focus] : 0
    let depthMax = base
    const stack: Array<[number, number, number]> = [[focus, 0, base]]
    while (stack.length) {
      const [n, x, d] = stack.pop()!
      const w = v[n] * scale
      if (w < MIN_PX) continue
      frame(n, x, w, d, false)
      depthMax = Math.max(depthMax, d)
      let cx = x
      for (const c of kids[n]) {
        stack.push([c, cx, d + 1])
        cx += v[c] * scale
      }
    }
    chart.style.height = `${(depthMax + 1) * ROW}px`
  }

  const nodeOf = (e: Event) => {
    const t = e.target as HTMLElement
    return t.classList?.contains('frame') ? Number(t.dataset.node) : -1
  }
  chart.addEventListener('click', (e) => {
    const n = nodeOf(e)
    if (n < 0) return
    focus = n === focus ? tree.parent[n] < 0 ? 0 : tree.parent[n] : n
    draw()
  })
  chart.addEventListener('contextmenu', (e) => {
    const n = nodeOf(e)
    if (n > 0) openMenu(e, nm(n))
  })
  chart.addEventListener('mousemove', (e) => {
    const n = nodeOf(e)
    if (n < 0) {
      tip.hidden = true
      return
    }
    let text = `${nm(n)}\n${formatValue(v[n], unit)} (${percent(v[n], total)})`
    if (match && nv) {
      const m = match[n]
      const d = m < 0 ? v[n] : nv[m]
      text += `\nchange against the base: ${d > 0 ? '+' : ''}${formatValue(d, unit)}`
    }
    tip.textContent = text
    tip.style.left = `${Math.min(e.clientX + 12, window.innerWidth - 300)}px`
    tip.style.top = `${e.clientY + 14}px`
    tip.hidden = false
  })
  chart.addEventListener('mouseleave', () => (tip.hidden = true))
  draw()
}
