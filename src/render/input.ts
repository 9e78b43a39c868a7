// pprof reports over profiles *or* goroutine dumps: what the one input is, the core's sniffer
// says (crates/goroscope-core/src/sniff.rs); a goroutine dump (debug=2, panic, SIGQUIT, or
// debug=1, whose names and lines pprof's legacy reading would lose) is converted to a
// goroutine/count profile by the core (`Profile.fromStacks`) and the same pprof flags are
// applied to it; anything else is a pprof command line run as it is.
import * as fs from 'node:fs'
import * as path from 'node:path'

import { GoroscopeError } from '../native'
import { Profile, ProfileReport, runPprof, type HungFunction } from '../profile'
import { sniff } from '../sniff'

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

async function fromDump(file: string, args: string[], minWait: number | undefined, inputs: string[]): Promise<AutoReport> {
  const profile = await Profile.fromStacks(file, { minWait })
  const flags = args.filter((a) => a !== file)
  return { report: await profile.report(flags), fromStacks: true, hung: profile.hungFunctions, inputs }
}

/** The one input of `args` when it is a goroutine dump, to be read as its goroutine/count profile. */
export async function dumpInput(args: string[], binary?: string): Promise<string | undefined> {
  const files = inputFiles(args)
  if (files.length !== 1) return undefined
  const { kind } = await sniff(files[0])
  // With a binary to symbolize from, a debug=1 dump is read as pprof reads it (addresses).
  return kind === 'goroutine-dump' || (kind === 'goroutine-profile' && !binary) ? files[0] : undefined
}

/** Run `args` (pprof flags and inputs) over profiles, or over one goroutine dump. */
export async function runPprofOrStacks(args: string[], options: { minWait?: number; binary?: string } = {}): Promise<AutoReport> {
  const files = inputFiles(args)
  const inputs = files.map((f) => path.basename(f))
  const dump = await dumpInput(args, options.binary)
  if (dump) return fromDump(dump, args, options.minWait, inputs)
  const report = await runPprof(args, options.binary ? { binary: options.binary } : {})
  return { report, fromStacks: false, hung: [], inputs }
}

/** Load the inputs of `args` (profiles or one dump) filtered by its pprof flags, as one Profile. */
export async function loadFiltered(args: string[], options: { minWait?: number; binary?: string } = {}): Promise<{ profile: Profile; auto: AutoReport }> {
  const auto = await runPprofOrStacks(['-proto', ...args], options)
  const proto = auto.report.proto
  if (!proto) throw new GoroscopeError('GOROSCOPE_REPORT', 'the filtered profile is empty')
  return { profile: await Profile.load(proto), auto }
}
