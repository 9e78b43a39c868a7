// `goroscope pprof [flags] PROFILE…` without a report flag: pprof's interactive shell. The
// session (src/pprof-session.ts, the core's driver/shell.rs) interprets each line; this loop
// reads lines (input.ts), prints what the session says on standard error (help, options,
// errors: pprof's texts, red on a terminal as pprof's), and runs report steps off the main
// thread, delivering them as pprof does (deliver.ts). Ctrl-C while a report runs abandons it
// and gives the prompt back (the worker finishes it in the background; its output is dropped);
// at the prompt it clears the line on a terminal and ends a scripted run (exit 130).
import { PprofSession, type ShellStep } from '../../pprof-session'
import { forTerminal } from '../../render/terminal'
import { completer } from './complete'
import { deliver, removeViewedFiles, type Ui } from './deliver'
import { historyFile, openLineReader } from './input'

export const PROMPT = '(pprof) '

function terminalUi(colour: boolean): Ui {
  const line = (t: string) => forTerminal(t.endsWith('\n') ? t : t + '\n', process.stderr)
  return {
    print: (t) => process.stderr.write(line(t)),
    printErr: (t) => process.stderr.write(colour ? `\x1b[0;31m${line(t)}\x1b[0m` : line(t)),
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export async function runShell(session: PprofSession): Promise<number> {
  let functions: string[] | undefined // fetched on the first completion that needs them
  const reader = openLineReader({ completer: completer(session.words, session.sampleTypes, () => (functions ??= session.functionNames)), history: historyFile() })
  const ui = terminalUi(reader.terminal && !process.env.NO_COLOR)
  const show = (s: ShellStep) => (s.kind === 'error' ? ui.printErr(s.text) : ui.print(s.text))
  let cancel: (() => void) | undefined
  let abandoned = 0
  reader.onInterrupt(() => {
    if (cancel) cancel()
    else if (reader.terminal) reader.reprompt()
    else {
      removeViewedFiles()
      process.exit(130)
    }
  })

  async function report(tokens: string[]): Promise<void> {
    const work = session.report(tokens).then((r) => deliver(r, ui))
    const interrupted = new Promise<'interrupted'>((res) => (cancel = () => res('interrupted')))
    try {
      if ((await Promise.race([work, interrupted])) === 'interrupted') {
        abandoned++
        work.catch(() => {}).finally(() => abandoned--)
        ui.printErr('interrupted')
      }
    } catch (e) {
      ui.printErr(message(e))
    } finally {
      cancel = undefined
    }
  }

  for (const s of session.greeting()) show(s)
  try {
    lines: for (;;) {
      const line = await reader.read(PROMPT)
      if (line === null) break
      for (const step of session.interpret(line)) {
        if (step.kind === 'quit') break lines
        if (step.kind === 'report') await report(step.tokens)
        else show(step)
      }
    }
  } finally {
    reader.close()
    removeViewedFiles()
  }
  // An interrupted report still running on a worker would keep Node alive until it ends.
  if (abandoned > 0) process.exit(0)
  return 0
}

/** Open the sources of a pprof command line (or its one goroutine dump) and run the shell on them. */
export async function shell(args: string[], options: { maxDecompressed?: number; binary?: string }): Promise<number> {
  const { dumpInput } = require('../../render/input') as typeof import('../../render/input')
  const dump = await dumpInput(args, options.binary)
  return runShell(await PprofSession.open(dump ? args.filter((a) => a !== dump) : args, { ...options, dump }))
}
