// The flame graph (icicle: root on top) of the core's flame report (./flame-data.ts): the one
// renderer of the web UI's flame view and of the `goroscope flame` page (src/pages/flame.ts).
// A click zooms into a frame (its ancestors stay above, dimmed; a click on the zoomed frame
// zooms out one level), hovering shows the frame's value and share, a search highlights the
// matching frames and sums them. With -diff_base the frames are the new profile's and their
// colour says how much they grew (red) or shrank (green) against the base. Names reach the DOM
// as text only.
import './flame.css'

import { el } from './dom'
import type { FlameData } from './flame-data'
import { formatValue, percent } from './format'

const ROW = 18
/** Frames narrower than this (px) are not drawn (the core prunes what no zoom level draws). */
const MIN_PX = 0.5

export interface FlameOptions {
  /** The sample type shown, by name (the profile's default when absent or unknown). */
  type?: string
  /** The hover box (an element with `position: fixed`). */
  tip: HTMLElement
  /** Right-click on a frame other than the root (the web UI's refine menu). */
  onContextMenu?: (e: MouseEvent, name: string) => void
  /** After each drawing: the names from the root to the zoomed frame. */
  onFocus?: (path: string[]) => void
  /** Functions whose frames get a red outline (a goroutine dump: where hung goroutines are parked). */
  hung?: Set<string>
}

export interface FlameView {
  /** Show sample type `k` (an index into `types`). */
  setType(k: number): void
  /** Highlight the frames whose name `re` matches; the matched value and share, or '' for none. */
  search(re: RegExp | null): string
  /** Zoom out to the root. */
  reset(): void
  /** The zoomed node. */
  focus(): number
}

function hue(name: string): string {
  // a warm colour per package, stable across renders
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  const pkg = dot > 0 ? name.slice(0, dot) : name
  let h = 0
  for (let i = 0; i < pkg.length; i++) h = (h * 31 + pkg.charCodeAt(i)) >>> 0
  return `hsl(${20 + (h % 40)}, ${70 + (h % 20)}%, ${62 + (h % 14)}%)`
}

export function typeIndex(d: FlameData, type: string | undefined): number {
  const k = type === undefined ? -1 : d.types.findIndex((t) => t.type === type)
  return k >= 0 ? k : Math.min(Math.max(d.defaultType, 0), Math.max(d.types.length - 1, 0))
}

export function renderFlame(root: HTMLElement, d: FlameData, o: FlameOptions): FlameView {
  const N = d.name.length
  const kids: number[][] = Array.from({ length: N }, () => [])
  for (let n = 1; n < N; n++) kids[d.parent[n]].push(n)
  const nm = (n: number) => (n === 0 ? 'root' : d.names[d.name[n]])
  const chart = el('div', 'flame')
  root.replaceChildren(chart)
  /** The values drawn (the new profile alone, with -diff_base) and, with -diff_base, the change. */
  let v: Float64Array = new Float64Array(N)
  let change: Float64Array | null = null
  let unit = ''
  let focus = 0
  let re: RegExp | null = null

  function setType(k: number): void {
    const all = d.values[k] ?? new Float64Array(N)
    const base = d.base?.[k]
    if (base) {
      v = all.map((x, n) => x - base[n])
      change = all
    } else {
      v = all
      change = null
    }
    unit = d.types[k]?.unit ?? ''
    const name = (n: number) => nm(n)
    for (const ks of kids) ks.sort((a, b) => v[b] - v[a] || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))
  }

  function color(n: number): string {
    if (!change) return n === 0 ? '#d8d8d8' : hue(nm(n))
    const c = change[n]
    const f = v[n] ? Math.min(1, Math.abs(c) / Math.abs(v[n])) : 0
    const l = 92 - Math.round(f * 40)
    return c > 0 ? `hsl(0, 80%, ${l}%)` : c < 0 ? `hsl(120, 60%, ${l}%)` : 'hsl(0, 0%, 88%)'
  }

  function frame(n: number, x: number, w: number, depth: number, ancestor: boolean): void {
    const name = nm(n)
    let cls = ancestor ? 'frame anc' : 'frame'
    if (re && n !== 0 && re.test(name)) cls += ' match'
    if (o.hung?.has(name)) cls += ' hung'
    const f = el('div', cls, name)
    f.style.left = `${x}px`
    f.style.width = `${Math.max(w - 1, 0)}px`
    f.style.top = `${depth * ROW}px`
    f.style.background = color(n)
    f.dataset.node = String(n)
    f.dataset.value = String(v[n])
    if (change) f.dataset.change = String(change[n])
    chart.appendChild(f)
  }

  function draw(): void {
    chart.replaceChildren()
    const width = chart.clientWidth || root.clientWidth || 1000
    // the focused frame's ancestors, full width
    const path: number[] = []
    for (let n = focus; n > 0; n = d.parent[n]) path.unshift(n)
    path.unshift(0)
    path.slice(0, -1).forEach((n, depth) => frame(n, 0, width, depth, true))
    const top = path.length - 1
    const scale = v[focus] ? width / v[focus] : 0
    let depthMax = top
    const stack: Array<[number, number, number]> = [[focus, 0, top]]
    while (stack.length) {
      const [n, x, depth] = stack.pop()!
      const w = v[n] * scale
      if (w < MIN_PX) continue
      frame(n, x, w, depth, false)
      depthMax = Math.max(depthMax, depth)
      let cx = x
      for (const c of kids[n]) {
        stack.push([c, cx, depth + 1])
        cx += v[c] * scale
      }
    }
    chart.style.height = `${(depthMax + 1) * ROW}px`
    o.onFocus?.(path.map(nm))
  }

  function matched(): string {
    if (!re) return ''
    // the outermost matching frames, so that recursion counts once
    let sum = 0
    const stack = [0]
    while (stack.length) {
      const n = stack.pop()!
      if (n !== 0 && re.test(nm(n))) sum += v[n]
      else stack.push(...kids[n])
    }
    return `${formatValue(sum, unit)} (${percent(sum, v[0])})`
  }

  const nodeOf = (e: Event) => {
    const t = e.target as HTMLElement
    return t.classList?.contains('frame') ? Number(t.dataset.node) : -1
  }
  chart.addEventListener('click', (e) => {
    const n = nodeOf(e)
    if (n < 0) return
    focus = n === focus ? Math.max(d.parent[n], 0) : n
    draw()
  })
  chart.addEventListener('contextmenu', (e) => {
    const n = nodeOf(e)
    if (n > 0 && o.onContextMenu) o.onContextMenu(e, nm(n))
  })
  const tip = o.tip
  chart.addEventListener('mousemove', (e) => {
    const n = nodeOf(e)
    if (n < 0) {
      tip.hidden = true
      return
    }
    const lines = [nm(n), `${formatValue(v[n], unit)} (${percent(v[n], v[0])})`]
    if (focus !== 0 && n !== focus) lines.push(`${percent(v[n], v[focus])} of ${nm(focus)}`)
    if (n !== 0) {
      let self = v[n]
      for (const c of kids[n]) self -= v[c]
      lines.push(`self: ${formatValue(self, unit)} (${percent(self, v[0])})`)
    }
    if (o.hung?.has(nm(n))) lines.push('hung goroutines are parked here')
    if (change) lines.push(`change against the base: ${change[n] > 0 ? '+' : ''}${formatValue(change[n], unit)}`)
    tip.textContent = lines.join('\n')
    tip.style.left = `${Math.min(e.clientX + 12, window.innerWidth - 300)}px`
    tip.style.top = `${e.clientY + 14}px`
    tip.hidden = false
  })
  chart.addEventListener('mouseleave', () => (tip.hidden = true))
  let pending: ReturnType<typeof setTimeout> | undefined
  window.addEventListener('resize', () => {
    clearTimeout(pending)
    pending = setTimeout(() => chart.isConnected && draw(), 100)
  })

  setType(typeIndex(d, o.type))
  draw()
  return {
    setType(k) {
      setType(k)
      draw()
    },
    search(r) {
      re = r
      draw()
      return matched()
    },
    reset() {
      focus = 0
      draw()
    },
    focus: () => focus,
  }
}
