// The command line's side of remote sources (src/source): the source flags (flags.ts,
// SOURCE_FLAGS) read from a pass-through command line or from yargs' arguments, and the
// sources resolved to local files before a command runs.
import type { SourceOptions, Want } from '../source'
import { SOURCE_FLAGS, splitFlags } from './flags'

/** The options of parsed source flags (a splitFlags map or yargs' arguments). */
export function sourceOptions(get: (name: string) => unknown): SourceOptions {
  const num = (n: string) => (get(n) === undefined ? undefined : Number(get(n)))
  const api = get('api')
  return {
    seconds: num('seconds'),
    timeout: num('timeout'),
    api: api === undefined ? undefined : String(api),
    apiAuth: get('api-auth') === undefined ? undefined : String(get('api-auth')),
    maxBytes: num('max-fetch'),
  }
}

/** pprof's command line with the source flags taken out and remote sources fetched (saved files in their place). */
export async function resolvePprofArgs(args: string[]): Promise<string[]> {
  const { own, rest } = splitFlags(args, SOURCE_FLAGS)
  // the fetching code (node:http, https) loads only when a source may be remote
  const { mightBeRemote } = require('../source/url') as typeof import('../source/url')
  if (own.size === 0 && !rest.some(mightBeRemote)) return rest
  const o = sourceOptions((n) => own.get(n))
  const { resolveArgs } = require('../source') as typeof import('../source')
  return (await resolveArgs(rest, o)).args
}

/** One source of a yargs command (stacks, report, vars, sys, symbolize) as a local file or bytes. */
export async function resolveOne(arg: string, want: Want, a: Record<string, unknown>, extra: Partial<SourceOptions> = {}) {
  const { resolveSource } = require('../source') as typeof import('../source')
  return resolveSource(arg, want, { ...sourceOptions((n) => a[n]), ...extra })
}

/** The yargs options of the source flags (help and parsing of the yargs commands). */
export function sourceYargs(): Record<string, { type: 'string' | 'number'; describe: string }> {
  const out: Record<string, { type: 'string' | 'number'; describe: string }> = {}
  for (const f of SOURCE_FLAGS) out[f.name] = { type: f.value?.parse ? 'number' : 'string', describe: f.describe }
  return out
}
