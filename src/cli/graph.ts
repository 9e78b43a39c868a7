// The drawing commands, with pprof's flags like the report commands (the same pass-through):
//   goroscope dot   PROFILE...|DUMP [pprof flags] [--min-wait N] [-o FILE]
//   goroscope svg   PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE]
//   goroscope web   PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE] [--no-browser]
//   goroscope flame PROFILE...|DUMP [pprof flags] [--min-wait N] -o FILE.html
// The DOT comes from the core (`-dot`); a goroutine dump is turned into a goroutine/count
// profile first, and the nodes where goroutines waiting at least --min-wait minutes (default 1)
// are parked get a thick red border (render/dot.ts).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import type { Renderer } from '../render/svg'
import { openInBrowser } from './browser'
import type { Context, Family } from './family'
import { UsageError } from './errors'
import { BINARY_FLAG, MAX_DECOMPRESSED_FLAG, MIN_WAIT_FLAG, NO_BROWSER_FLAG, OUTPUT_FLAG, type OwnFlag, RENDERER_FLAG, SOURCE_FLAGS, splitFlags } from './flags'
import { say, warn, writeOut } from './output'
import { DUMP_HELP, GRAPHS, passThroughCommand, PPROF_FLAGS_HELP, pprofInvocation, SOURCES_HELP, withUsage } from './pprof'
import { resolvePprofArgs } from './sources'

const GRAPH_FLAGS = [RENDERER_FLAG, MIN_WAIT_FLAG, NO_BROWSER_FLAG]

/** The flags each command's help shows (all four accept all of them, as before). */
const HELP_FLAGS: Record<string, OwnFlag[]> = {
  dot: [OUTPUT_FLAG, MIN_WAIT_FLAG, BINARY_FLAG, MAX_DECOMPRESSED_FLAG],
  svg: [OUTPUT_FLAG, RENDERER_FLAG, MIN_WAIT_FLAG, BINARY_FLAG, MAX_DECOMPRESSED_FLAG],
  web: [OUTPUT_FLAG, RENDERER_FLAG, MIN_WAIT_FLAG, NO_BROWSER_FLAG, BINARY_FLAG, MAX_DECOMPRESSED_FLAG],
  flame: [OUTPUT_FLAG, MIN_WAIT_FLAG, BINARY_FLAG, MAX_DECOMPRESSED_FLAG],
}

async function dotFor(command: string, args: string[], minWait: number): Promise<{ dot: string; bytes: Buffer | string; inputs: string[]; output?: string }> {
  const { runPprofOrStacks } = require('../render/input') as typeof import('../render/input')
  const { markHung } = require('../render/dot') as typeof import('../render/dot')
  const inv = pprofInvocation('pprof', args)
  inv.args = await resolvePprofArgs(inv.args)
  const auto = await runPprofOrStacks(['-dot', ...inv.args], { minWait, binary: inv.binary })
  for (const w of auto.report.warnings) warn(w)
  let dot = auto.report.text
  if (!dot.startsWith('digraph')) throw new UsageError(`${command}: the core returned no DOT graph (is -dot supported by this build?)`)
  if (auto.fromStacks) dot = markHung(dot, auto.hung, minWait)
  // `dot` writes pprof's bytes (a profile name that is not UTF-8 passes through, as in pprof)
  return { dot, bytes: auto.fromStacks ? dot : auto.report.textBytes, inputs: auto.inputs, output: inv.output }
}

async function flame(args: string[], minWait: number): Promise<void> {
  const { loadFiltered } = require('../render/input') as typeof import('../render/input')
  const { renderFlameHtml } = require('../render/flame') as typeof import('../render/flame')
  const inv = pprofInvocation('pprof', args)
  inv.args = await resolvePprofArgs(inv.args)
  if (!inv.output) throw new UsageError('flame writes an HTML page: give -o FILE.html')
  const { profile, auto } = await loadFiltered(inv.args, { minWait, binary: inv.binary })
  for (const w of auto.report.warnings) warn(w)
  const title = auto.inputs.join(', ') || 'profile'
  await writeOut(renderFlameHtml(await profile.flameReport([], title), auto.hung.map((h) => h.function)), inv.output)
}

export function run(command: string, rest: string[]): Promise<number> {
  return withUsage(async () => {
    const { own, rest: args } = splitFlags(rest, GRAPH_FLAGS)
    const minWait = (own.get('min-wait') as number | undefined) ?? 1
    if (command === 'flame') {
      await flame(args, minWait)
      return 0
    }
    const { dot, bytes, inputs, output } = await dotFor(command, args, minWait)
    if (command === 'dot') {
      await writeOut(output || !process.stdout.isTTY ? bytes : dot, output)
      return 0
    }
    const { dotToSvg } = require('../render/svg') as typeof import('../render/svg')
    const svg = await dotToSvg(dot, (own.get('renderer') as Renderer | undefined) ?? 'wasm')
    if (command === 'svg') {
      await writeOut(svg, output)
      return 0
    }
    let file = output
    if (!file) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-'))
      const base = (inputs[0] ?? 'profile').replace(/[^A-Za-z0-9._-]/g, '_')
      file = path.join(dir, `${base}.svg`)
    }
    await writeOut(svg, file)
    const where = path.resolve(file)
    if (own.has('no-browser') || !openInBrowser(where)) process.stdout.write(`${where}\n`)
    else say(`opened ${where} in the browser`)
    return 0
  })
}

export const family: Family = {
  commands: (ctx: Context) => GRAPHS.map((c) => passThroughCommand(c, [...HELP_FLAGS[c.name], ...SOURCE_FLAGS], `${DUMP_HELP}\n${SOURCES_HELP}\n${PPROF_FLAGS_HELP}`, ctx, run)),
  run,
}
