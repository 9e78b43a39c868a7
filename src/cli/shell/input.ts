// Reading the shell's lines. On a terminal: Node's readline with line editing, tab completion
// and a history kept in ~/.goroscope_history, its prompt and echo on standard error (as Go's
// pprof draws its terminal on stderr, keeping stdout for reports). Otherwise (a script on
// stdin): plain lines, the prompt written to standard output before each read, as pprof does,
// no escape codes. Lines typed while a report runs wait their turn.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as readline from 'node:readline'

/** How many lines the history keeps (the limit of the readline library upstream pprof uses). */
export const HISTORY_MAX = 500

export function historyFile(): string {
  return path.join(os.homedir(), '.goroscope_history')
}

/** The history, newest first (readline's order), from a file of lines oldest first. */
export function loadHistory(file: string): string[] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text.split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_MAX).reverse()
}

/** Write the history (newest first) as lines oldest first, replacing the file whole. */
export function saveHistory(file: string, history: readonly string[]): void {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    fs.writeFileSync(tmp, history.slice(0, HISTORY_MAX).reverse().map((l) => l + '\n').join(''), { mode: 0o600 })
    fs.renameSync(tmp, file)
  } catch {
    fs.rmSync(tmp, { force: true })
    // a history that cannot be saved is no reason to fail the shell
  }
}

export interface LineReader {
  /** Whether lines come from a terminal (editing, completion, history, colours). */
  readonly terminal: boolean
  /** Show `prompt` and wait for the next line; null at the end of input (Ctrl-D). */
  read(prompt: string): Promise<string | null>
  /** Called on Ctrl-C (a terminal's, or SIGINT when reading a script). */
  onInterrupt(f: () => void): void
  /** Clear what is typed and show the prompt again (Ctrl-C at the prompt). */
  reprompt(): void
  close(): void
}

export function openLineReader(options: { completer?: readline.Completer; history?: string }): LineReader {
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !['', 'dumb'].includes((process.env.TERM ?? '').toLowerCase())
  const rl = readline.createInterface({
    input: process.stdin,
    output: terminal ? process.stderr : undefined,
    terminal,
    completer: terminal ? options.completer : undefined,
    history: terminal && options.history ? loadHistory(options.history) : [],
    historySize: HISTORY_MAX,
    prompt: '',
  })
  const lines: string[] = []
  let ended = false
  let wake: (() => void) | undefined
  rl.on('line', (l) => {
    lines.push(l)
    wake?.()
  })
  rl.on('close', () => {
    ended = true
    wake?.()
  })
  if (terminal && options.history) {
    const file = options.history
    rl.on('history', (h: string[]) => saveHistory(file, h))
  }
  let interrupt = () => {}
  if (terminal) rl.on('SIGINT', () => interrupt())
  else process.on('SIGINT', () => interrupt())
  let prompt = ''
  return {
    terminal,
    async read(p: string): Promise<string | null> {
      prompt = p
      if (!terminal) process.stdout.write(p)
      else if (!ended) {
        // (after Ctrl-D the interface is closed: no prompt to draw)
        rl.setPrompt(p)
        rl.prompt()
      }
      while (lines.length === 0 && !ended) await new Promise<void>((r) => (wake = r))
      wake = undefined
      return lines.length > 0 ? lines.shift()! : null
    },
    onInterrupt(f) {
      interrupt = f
    },
    reprompt() {
      if (terminal && !ended) {
        // drop what was typed: readline's own Ctrl-U, then a fresh prompt on a new line
        rl.write(null, { ctrl: true, name: 'u' })
        process.stderr.write('^C\n')
        rl.setPrompt(prompt)
        rl.prompt()
      }
    },
    close() {
      rl.close()
    },
  }
}
