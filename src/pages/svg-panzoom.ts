// Pan and zoom for goroscope's standalone call-graph SVG (`goroscope svg`, `web`, the HTML
// report's graphs). Bundled at build time (scripts/build-pages.mjs) and inlined into each SVG by
// src/render/svg.ts, so the SVG makes no request. The graph is wrapped in `<g id="viewport">`,
// whose transform is `matrix(s 0 0 s x y)`: the wheel zooms about the pointer, dragging pans, a
// double-click or the `0` key fits the whole graph in the window (as on load), `+`/`-` zoom.
//
// Ours rather than svg-pan-zoom's (measured, README "CLI"): a tenth of its size in every SVG, the
// wheel zooms in proportion to the distance scrolled, each change is in the DOM when its event
// handler returns, and a fit is the same view every time.

const root = document.documentElement as unknown as SVGSVGElement
let view: SVGGElement | null = null
let s = 0.5
let x = 0
let y = 0
let drag: { px: number; py: number; x: number; y: number } | null = null

function apply(): void {
  view!.setAttribute('transform', `matrix(${s} 0 0 ${s} ${x} ${y})`)
}

/** The event's position in the SVG's own coordinates. */
function point(e: MouseEvent): { x: number; y: number } {
  const m = root.getScreenCTM()
  const p = root.createSVGPoint()
  p.x = e.clientX
  p.y = e.clientY
  return m ? p.matrixTransform(m.inverse()) : p
}

function size(): { w: number; h: number } {
  const r = root.getBoundingClientRect()
  return { w: r.width || window.innerWidth, h: r.height || window.innerHeight }
}

/** The whole graph in the window, never above 100%, centred, 10px from the top. */
function fit(): void {
  s = 1
  x = 0
  y = 0
  apply()
  const b = view!.getBBox()
  const z = size()
  if (!b.width || !b.height) return
  s = Math.min(1, (z.w - 20) / b.width, (z.h - 20) / b.height)
  if (!(s > 0)) s = 1
  x = (z.w - b.width * s) / 2 - b.x * s
  y = 10 - b.y * s
  apply()
}

function zoom(f: number, p: { x: number; y: number }): void {
  const n = Math.min(40, Math.max(0.02, s * f))
  f = n / s
  x = p.x - (p.x - x) * f
  y = p.y - (p.y - y) * f
  s = n
  apply()
}

function init(): void {
  view = document.getElementById('viewport') as SVGGElement | null
  if (!view) return
  root.style.cursor = 'grab'
  fit()
  root.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault()
      const d = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1)
      zoom(Math.pow(1.002, -Math.max(-500, Math.min(500, d))), point(e))
    },
    { passive: false },
  )
  root.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return
    const p = point(e)
    drag = { px: p.x, py: p.y, x, y }
    root.style.cursor = 'grabbing'
    e.preventDefault()
  })
  window.addEventListener('mousemove', (e) => {
    if (!drag) return
    const p = point(e)
    x = drag.x + p.x - drag.px
    y = drag.y + p.y - drag.py
    apply()
  })
  window.addEventListener('mouseup', () => {
    if (!drag) return
    drag = null
    root.style.cursor = 'grab'
  })
  root.addEventListener('dblclick', (e) => {
    e.preventDefault()
    fit()
  })
  window.addEventListener('keydown', (e) => {
    if (e.key === '0') fit()
    else if (e.key === '+' || e.key === '=') zoom(1.25, { x: size().w / 2, y: size().h / 2 })
    else if (e.key === '-') zoom(0.8, { x: size().w / 2, y: size().h / 2 })
  })
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init)
else init()
