// What a command family module (stacks.ts, pprof.ts, graph.ts, symbolize.ts, node.ts) offers the
// dispatcher, and what a run shares with the command handlers.
import type { CommandModule } from 'yargs'

/** What a run shares with its command handlers. */
export interface Context {
  /** The whole command line (after `goroscope`). */
  argv: string[]
  /** The exit code, set by a handler (collect: 3 when a bundle was written with something missing). */
  code: number
}

export interface Family {
  /** The yargs definitions of the family's commands. */
  commands(ctx: Context): CommandModule<object, any>[]
  /**
   * Families whose commands take pprof's single-dash flags run without yargs: `run(name, rest)`
   * gets the arguments after the command name as they were typed.
   */
  run?(name: string, rest: string[]): Promise<number>
}
