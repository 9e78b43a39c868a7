// pprof reports over profiles *or* goroutine dumps: a pprof command line is run as it is; when
// its input is not a profile but a text goroutine dump (GOROSCOPE_PROFILE from the loader), the
// dump is converted to a goroutine/count profile by the core (`Profile.fromStacks`) and the same
// flags are applied to it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { GoroscopeError } from '../native'
import { Profile, ProfileReport, runPprof, type HungFunction } from '../profile'

export interface AutoReport {
  report: ProfileReport
  /** The input was a goroutine dump. */
  fromStacks: boolean
  /** For a dump: where goroutines waiting at least `minWait` minutes are parked. */
  hung: HungFunction[]
  /** Base names of the input files. */
  inputs: string[]
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

/** Positional arguments that name existing files (the profiles or dumps). */
export function inputFiles(args: string[]): string[] {
  return args.filter((a) => !a.startsWith('-') && isFile(a))
}

/**
 * A `?debug=1` goroutine dump (`goroutine profile: total N`, gzip or not). pprof reads it as a
 * legacy profile of bare addresses; as a dump it keeps the function names, files and lines.
 */
function isDebug1Dump(file: string): boolean {
  let head: Buffer
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(4096)
    head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0))
  } finally {
    fs.closeSync(fd)
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
    } catch {
      return false
    }
  }
  return /^\s*goroutine profile: total \d+\r?\n/.test(head.subarray(0, 256).toString('latin1'))
}

async function fromDump(file: string, args: string[], minWait: number | undefined, inputs: string[], made?: Profile): Promise<AutoReport> {
  const profile = made ?? (await Profile.fromStacks(file, { minWait }))
  const flags = args.filter((a) => a !== file)
  return { report: await profile.report(flags), fromStacks: true, hung: profile.hungFunctions, inputs }
}

/** Run `args` (pprof flags and inputs) over profiles, or over one goroutine dump. */
export async function runPprofOrStacks(args: string[], options: { minWait?: number; binary?: string } = {}): Promise<AutoReport> {
  const files = inputFiles(args)
  const inputs = files.map((f) => path.basename(f))
  if (files.length === 1 && !options.binary && isDebug1Dump(files[0])) return fromDump(files[0], args, options.minWait, inputs)
  try {
    const report = await runPprof(args, options.binary ? { binary: options.binary } : {})
    return { report, fromStacks: false, hung: [], inputs }
  } catch (e) {
    if (!(e instanceof GoroscopeError && e.code === 'GOROSCOPE_PROFILE') || files.length !== 1) throw e
    let profile: Profile
    try {
      profile = await Profile.fromStacks(files[0], { minWait: options.minWait })
    } catch {
      throw e // neither a profile nor a dump: the profile loader's message says why
    }
    return fromDump(files[0], args, options.minWait, inputs, profile)
  }
}

/** Load the inputs of `args` (profiles or one dump) filtered by its pprof flags, as one Profile. */
export async function loadFiltered(args: string[], options: { minWait?: number; binary?: string } = {}): Promise<{ profile: Profile; auto: AutoReport }> {
  const auto = await runPprofOrStacks(['-proto', ...args], options)
  const proto = auto.report.proto
  if (!proto) throw new GoroscopeError('GOROSCOPE_REPORT', 'the filtered profile is empty')
  return { profile: await Profile.load(proto), auto }
}
