// The one map from an error to the CLI's exit code, and the one way an error is printed.
// Exit codes: 0 success; 2 bad input or options (every `GOROSCOPE_*` code but PANIC, and a named
// file that does not exist); 1 an internal error (a panic in the core, anything unexpected).
// `collect` adds 3 (a bundle was written but something is missing); its handler sets that itself.
import { escapeControls } from '../render/terminal'
import { UsageError } from './errors'

/** Codes that mean goroscope itself failed, not its input. */
const INTERNAL = new Set(['GOROSCOPE_PANIC'])

export function exitCode(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code.startsWith('GOROSCOPE_')) return INTERNAL.has(code) ? 1 : 2
  if (code === 'ENOENT') return 2
  return 1
}

/** Print `goroscope: MESSAGE` (escaped: messages quote inputs) and the usage of a UsageError; the exit code. */
export function reportError(e: unknown): number {
  process.stderr.write(`goroscope: ${escapeControls(e instanceof Error ? e.message : String(e))}\n`)
  if (e instanceof UsageError && e.usage) process.stderr.write(e.usage)
  return exitCode(e)
}
