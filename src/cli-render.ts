// The drawing commands, with pprof's flags like the other pprof-style commands:
//   goroscope dot   PROFILE...|DUMP [pprof flags] [--min-wait N] [-o FILE]
//   goroscope svg   PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE]
//   goroscope web   PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE] [--no-browser]
//   goroscope flame PROFILE...|DUMP [pprof flags] [--min-wait N] -o FILE.html
// The DOT comes from the core (`-dot`); a goroutine dump is turned into a goroutine/count
// profile first, and the nodes where goroutines waiting at least --min-wait minutes (default 1)
// are parked get a thick red border (and a note in their tooltip and in the legend).
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { pprofInvocation, UsageError } from './cli-pprof'
import { writeAtomic } from './io'
import type { HungFunction } from './profile'
import { renderFlameHtml } from './render/flame'
import { loadFiltered, runPprofOrStacks } from './render/input'
import { dotToSvg, highlightDotNodes, type Renderer } from './render/svg'

export const RENDER_COMMANDS = new Set(['dot', 'svg', 'web', 'flame'])

export const RENDER_USAGE = `  goroscope dot PROFILE...|DUMP [pprof flags] [--min-wait N] [-o FILE]
  goroscope svg PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg]
  goroscope web PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg] [--no-browser]
  goroscope flame PROFILE...|DUMP [pprof flags] [--min-wait N] -o FILE.html
`

interface RenderOptions {
  renderer: Renderer
  minWait: number
  noBrowser: boolean
  rest: string[]
}

function takeOptions(rest: string[]): RenderOptions {
  const o: RenderOptions = { renderer: 'wasm', minWait: 1, noBrowser: false, rest: [] }
  const value = (i: number, name: string) => {
    if (i + 1 >= rest.length) throw new UsageError(`${name} needs a value`)
    return rest[i + 1]
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    let name = a
    let v: string | undefined
    const eq = a.indexOf('=')
    if (a.startsWith('--') && eq > 0) {
      name = a.slice(0, eq)
      v = a.slice(eq + 1)
    }
    if (name === '--renderer') {
      if (v === undefined) v = value(i++, name)
      if (v !== 'wasm' && v !== 'dot') throw new UsageError(`--renderer is wasm (default, bundled Graphviz) or dot (Graphviz on PATH), not ${v}`)
      o.renderer = v
    } else if (name === '--min-wait') {
      if (v === undefined) v = value(i++, name)
      const n = Number(v)
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--min-wait takes whole minutes, not ${v}`)
      o.minWait = n
    } else if (a === '--no-browser') o.noBrowser = true
    else o.rest.push(a)
  }
  return o
}

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

async function dotFor(command: string, o: RenderOptions): Promise<{ dot: string; inputs: string[]; output?: string }> {
  const inv = pprofInvocation('pprof', o.rest)
  const auto = await runPprofOrStacks(['-dot', ...inv.args], { minWait: o.minWait, binary: inv.binary })
  for (const w of auto.report.warnings) process.stderr.write(w.endsWith('\n') ? w : w + '\n')
  let dot = auto.report.text
  if (!dot.startsWith('digraph')) throw new UsageError(`${command}: the core returned no DOT graph (is -dot supported by this build?)`)
  if (auto.fromStacks) dot = markHung(dot, auto.hung, o.minWait)
  return { dot, inputs: auto.inputs, output: inv.output }
}

function onPath(cmd: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext)
      try {
        fs.accessSync(p, fs.constants.X_OK)
        if (fs.statSync(p).isFile()) return p
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/** Open `file` in the default browser ($BROWSER, xdg-open, open, start); false when none. */
function openInBrowser(file: string): boolean {
  const candidates: [string, string[]][] = []
  if (process.env.BROWSER) candidates.push([process.env.BROWSER, [file]])
  if (process.platform === 'darwin') candidates.push(['open', [file]])
  else if (process.platform === 'win32') candidates.push(['cmd', ['/c', 'start', '""', file]])
  else candidates.push(['xdg-open', [file]])
  for (const [cmd, args] of candidates) {
    const exe = path.isAbsolute(cmd) ? cmd : onPath(cmd)
    if (!exe) continue
    const child = spawn(exe, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
    return true
  }
  return false
}

export async function runRenderCommand(command: string, rest: string[]): Promise<void> {
  const o = takeOptions(rest)
  if (command === 'flame') {
    const inv = pprofInvocation('pprof', o.rest)
    if (!inv.output) throw new UsageError('flame writes an HTML page: give -o FILE.html')
    const { profile, auto } = await loadFiltered(inv.args, { minWait: o.minWait, binary: inv.binary })
    for (const w of auto.report.warnings) process.stderr.write(w.endsWith('\n') ? w : w + '\n')
    const title = auto.inputs.join(', ') || 'profile'
    const json = await profile.flameJSON(title)
    await writeAtomic(inv.output, renderFlameHtml(json, auto.hung.map((h) => h.function)))
    return
  }
  const { dot, inputs, output } = await dotFor(command, o)
  if (command === 'dot') {
    if (output) await writeAtomic(output, dot)
    else process.stdout.write(dot)
    return
  }
  const svg = await dotToSvg(dot, o.renderer)
  if (command === 'svg') {
    if (output) await writeAtomic(output, svg)
    else process.stdout.write(svg)
    return
  }
  // web
  let file = output
  if (!file) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-'))
    const base = (inputs[0] ?? 'profile').replace(/[^A-Za-z0-9._-]/g, '_')
    file = path.join(dir, `${base}.svg`)
  }
  await writeAtomic(file, svg)
  if (o.noBrowser || !openInBrowser(path.resolve(file))) process.stdout.write(`${path.resolve(file)}\n`)
  else process.stderr.write(`goroscope: opened ${path.resolve(file)} in the browser\n`)
}
