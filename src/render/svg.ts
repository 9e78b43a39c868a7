// DOT → SVG for `goroscope svg` / `goroscope web`: Graphviz compiled to WebAssembly
// (@viz-js/viz, bundled, works offline) or, with `--renderer dot`, the system's Graphviz `dot`.
// The SVG is then post-processed as pprof does (internal/driver/svg.go massageSVG): it fills
// the window (width/height 100%, no viewBox), its graph is wrapped in `<g id="viewport">`, and
// our pan/zoom script (src/pages/svg-panzoom.ts, bundled at build time) is inlined: the wheel
// zooms about the pointer, drag pans, double-click or `0` fits the graph again. Graphviz's node
// tooltips (`<a xlink:title>`) stay.
import { spawn } from 'node:child_process'

import { GoroscopeError } from '../native'
import { pageScript } from './assets'

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

/** A script as CDATA content: a `]]>` in it would end the section, so it is split there. */
function cdata(js: string): string {
  return js.replace(/\]\]>/g, ']]]]><![CDATA[>')
}

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
    `<script type="text/ecmascript"><![CDATA[${cdata(pageScript('svg-panzoom'))}]]></script>\n` +
    `<g id="viewport" transform="matrix(0.5 0 0 0.5 0 0)">\n` +
    svg.slice(graph, end) +
    '</g>\n' +
    svg.slice(end)
  )
}
