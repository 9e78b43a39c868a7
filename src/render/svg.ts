// DOT → SVG for `goroscope svg` / `goroscope web`: Graphviz compiled to WebAssembly
// (@viz-js/viz, bundled, works offline) or, with `--renderer dot`, the system's Graphviz `dot`.
// The SVG is then post-processed as pprof does (internal/driver/svg.go massageSVG): it fills
// the window (width/height 100%, no viewBox), its graph is wrapped in `<g id="viewport">`, and
// a small pan/zoom script of our own is inlined (wheel zooms about the pointer, drag pans,
// double-click or `0` fits the graph again). Graphviz's node tooltips (`<a xlink:title>`) stay.
import { spawn } from 'node:child_process'

import { GoroscopeError } from '../native'

export type Renderer = 'wasm' | 'dot'

/** Rendering failed (Graphviz missing or failing, unexpected SVG): code GOROSCOPE_RENDER. */
export class RenderError extends GoroscopeError {
  constructor(message: string) {
    super('GOROSCOPE_RENDER', message)
    this.name = 'RenderError'
  }
}

interface VizInstance {
  renderString(input: string, options?: { format?: string; engine?: string }): string
  readonly graphvizVersion: string
}

let viz: Promise<VizInstance> | undefined

async function wasmInstance(): Promise<VizInstance> {
  if (!viz) {
    // Loaded on first use: the module embeds the Graphviz WebAssembly (~1.5 MB of JavaScript).
    viz = import('@viz-js/viz').then((m) => m.instance())
  }
  return viz
}

/** Graphviz version of the bundled WebAssembly build. */
export async function wasmGraphvizVersion(): Promise<string> {
  return (await wasmInstance()).graphvizVersion
}

function systemDot(dot: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('dot', ['-Tsvg'], { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(
          new RenderError(
            "--renderer dot needs Graphviz's `dot` on PATH (Debian/Ubuntu: apt-get install graphviz); " +
              'without --renderer, the bundled WebAssembly Graphviz is used',
          ),
        )
      } else reject(new RenderError(`failed to execute dot: ${e.message}`))
    })
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new RenderError(`dot -Tsvg exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`))
    })
    child.stdin.on('error', () => {}) // reported through 'error'/'close'
    child.stdin.end(dot)
  })
}

/** Graphviz's plain SVG for `dot`. */
export async function dotToRawSvg(dot: string, renderer: Renderer = 'wasm'): Promise<string> {
  if (renderer === 'dot') return systemDot(dot)
  const v = await wasmInstance()
  try {
    return v.renderString(dot, { format: 'svg', engine: 'dot' })
  } catch (e) {
    throw new RenderError(`Graphviz (WebAssembly) failed: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/**
 * DOT → the finished, interactive SVG document. Every `&` of the DOT (they only occur in its
 * quoted strings) is passed to Graphviz as `&amp;`: Graphviz copies entity-like text such as
 * `&amp;` or `&nbsp;` of a label into the SVG as an entity, so a function name containing one
 * would be shown decoded; this way names are shown exactly as they are (pprof shows them decoded).
 */
export async function dotToSvg(dot: string, renderer: Renderer = 'wasm'): Promise<string> {
  return massageSvg(await dotToRawSvg(dot.replace(/&/g, '&amp;'), renderer))
}

// Entities XML knows without a DTD; anything else Graphviz passed through from a label (a
// function name with `&nbsp;` in it, or Graphviz's own `&;`) would make the SVG unreadable.
const STRAY_AMP = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/g
// Graphviz writes shapes, text and links only; refuse to pass on anything active.
const ACTIVE = /<script\b|<foreignObject\b|<iframe\b|<[a-zA-Z][^>]*\son[a-zA-Z]+\s*=/i
const ROOT = /<svg\s+width="[^"]*"\s+height="[^"]*"\s+viewBox="[^"]*"/

/**
 * pprof's massageSVG, with our own pan/zoom script: make the SVG fill the window and wrap
 * the graph in `<g id="viewport">`, which the script transforms.
 */
export function massageSvg(svg: string): string {
  svg = svg.replace(STRAY_AMP, '&amp;')
  if (ACTIVE.test(svg)) throw new RenderError('Graphviz produced active SVG content; refusing to write it')
  if (!ROOT.test(svg)) throw new RenderError('unexpected SVG from Graphviz: no sized <svg> root element')
  svg = svg.replace(ROOT, '<svg width="100%" height="100%"')
  const graph = svg.indexOf('<g id="graph0"')
  const end = svg.lastIndexOf('</svg>')
  if (graph < 0 || end < graph) throw new RenderError('unexpected SVG from Graphviz: no <g id="graph0">')
  return (
    svg.slice(0, graph) +
    `<script type="text/ecmascript"><![CDATA[${PANZOOM}]]></script>\n` +
    `<g id="viewport" transform="matrix(0.5 0 0 0.5 0 0)">\n` +
    svg.slice(graph, end) +
    '</g>\n' +
    svg.slice(end)
  )
}

// Pan and zoom for the standalone SVG (goroscope's own; no external requests). The viewport
// transform is `matrix(s 0 0 s x y)`: wheel zooms about the pointer, dragging pans, a
// double-click or the `0` key fits the whole graph in the window (as on load).
const PANZOOM = String.raw`
(function () {
  'use strict';
  var root = document.documentElement;
  var view = null, s = 0.5, x = 0, y = 0, drag = null;
  function apply() {
    view.setAttribute('transform', 'matrix(' + s + ' 0 0 ' + s + ' ' + x + ' ' + y + ')');
  }
  function point(e) {
    var m = root.getScreenCTM();
    var p = root.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    return m ? p.matrixTransform(m.inverse()) : p;
  }
  function size() {
    var r = root.getBoundingClientRect();
    return { w: r.width || window.innerWidth, h: r.height || window.innerHeight };
  }
  function fit() {
    s = 1; x = 0; y = 0; apply();
    var b = view.getBBox(), z = size();
    if (!b.width || !b.height) return;
    s = Math.min(1, (z.w - 20) / b.width, (z.h - 20) / b.height);
    if (!(s > 0)) s = 1;
    x = (z.w - b.width * s) / 2 - b.x * s;
    y = 10 - b.y * s;
    apply();
  }
  function zoom(f, p) {
    var n = Math.min(40, Math.max(0.02, s * f));
    f = n / s;
    x = p.x - (p.x - x) * f;
    y = p.y - (p.y - y) * f;
    s = n;
    apply();
  }
  function init() {
    view = document.getElementById('viewport');
    if (!view) return;
    root.style.cursor = 'grab';
    fit();
    root.addEventListener('wheel', function (e) {
      e.preventDefault();
      var d = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
      zoom(Math.pow(1.002, -Math.max(-500, Math.min(500, d))), point(e));
    }, { passive: false });
    root.addEventListener('mousedown', function (e) {
      if (e.button !== 0) return;
      var p = point(e);
      drag = { px: p.x, py: p.y, x: x, y: y };
      root.style.cursor = 'grabbing';
      e.preventDefault();
    });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var p = point(e);
      x = drag.x + p.x - drag.px;
      y = drag.y + p.y - drag.py;
      apply();
    });
    window.addEventListener('mouseup', function () {
      if (!drag) return;
      drag = null;
      root.style.cursor = 'grab';
    });
    root.addEventListener('dblclick', function (e) { e.preventDefault(); fit(); });
    window.addEventListener('keydown', function (e) {
      if (e.key === '0') fit();
      else if (e.key === '+' || e.key === '=') zoom(1.25, { x: size().w / 2, y: size().h / 2 });
      else if (e.key === '-') zoom(0.8, { x: size().w / 2, y: size().h / 2 });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
`
