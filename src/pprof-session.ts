// pprof's interactive shell as a Node API: `PprofSession.open` fetches a pprof command line's
// sources once (off the main thread) into a native driver session
// (crates/goroscope-core/src/driver/shell.rs); `interpret` applies one line's settings and says
// what else the line asks for; `report` produces a report step off the main thread. Reading
// lines and delivering reports is the CLI's (src/cli/shell/).
import type * as Native from '../index'
import { call, native } from './native'
import { ProfileReport } from './profile'

export type ShellStep = Native.ShellStep

/** A shell report with how its command delivers it (see `Native.ShellReport`). */
export interface ShellReport extends Omit<Native.ShellReport, 'report'> {
  report: ProfileReport
}

export class PprofSession {
  private constructor(private readonly inner: InstanceType<typeof native.PprofSession>) {}

  /**
   * Fetch the sources of a pprof command line (its flags are the first settings); `dump`, a
   * goroutine dump's path, is read as its goroutine/count profile (as `Profile.fromStacks`).
   */
  static async open(args: string[], options: { maxDecompressed?: number; binary?: string; dump?: string } = {}): Promise<PprofSession> {
    return new PprofSession(await call(() => native.PprofSession.open(args, options.maxDecompressed, options.binary, options.dump)))
  }

  /** True when a pprof command line parses and names no report (pprof then enters its shell). */
  static entersShell(args: string[]): boolean {
    return native.pprofEntersShell(args)
  }

  /** What pprof prints on entering the shell. */
  greeting(): ShellStep[] {
    return this.inner.greeting()
  }

  /** One line: its settings are applied now; the other steps are returned in order. */
  interpret(line: string): ShellStep[] {
    return this.inner.interpret(line)
  }

  /** The report of a `report` step's words, with the current settings. */
  async report(tokens: string[]): Promise<ShellReport> {
    const r = await call(() => this.inner.report(tokens))
    return { ...r, report: new ProfileReport(r.report) }
  }

  /** Words a line may start with (commands, options, choices, sample types), sorted. */
  get words(): string[] {
    return this.inner.words
  }

  /** The profile's function names, each once, sorted. */
  get functionNames(): string[] {
    return this.inner.functionNames
  }

  get sampleTypes(): string[] {
    return this.inner.sampleTypes
  }

  /** An option's current value as `o` shows it (undefined for no such option). */
  option(name: string): string | undefined {
    return this.inner.option(name) ?? undefined
  }
}
