// goroscope's own flags on the commands that take pprof's flags (top, dot, flame, …), in one
// table used twice: by `splitFlags`, which takes them out of the command line and leaves every
// other argument, in order, for the core's pprof flag parser (the documented pass-through); and
// by the yargs definitions of those commands, for `--help` and completion.
import { UsageError } from './errors'

export interface OwnFlag {
  /** The yargs name: `--NAME`. */
  name: string
  /** Other spellings taking a value the same ways (`-o`; `-output` as pprof spells it). */
  spellings?: string[]
  /** Spellings that also accept `=VALUE` (default: `--NAME`). */
  withEquals?: string[]
  describe: string
  /** How the value is read; absent for a switch. */
  value?: { name: string; missing: string; parse?: (v: string, flag: string) => string | number }
}

const wholeBytes = (v: string, flag: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a whole number of bytes ≥ 1, not ${JSON.stringify(v)}`)
  return n
}

export const JSON_FLAG: OwnFlag = { name: 'json', describe: 'print the report as the documented JSON object (docs/pprof-json.md)' }
export const OUTPUT_FLAG: OwnFlag = {
  name: 'output',
  spellings: ['-o', '-output'],
  withEquals: ['--output', '-output'],
  describe: 'write the result to FILE (atomically) instead of stdout',
  value: { name: 'FILE', missing: 'needs a file name' },
}
export const BINARY_FLAG: OwnFlag = {
  name: 'binary',
  describe: 'symbolize address-only profiles from the ELF binary that produced them first',
  value: { name: 'FILE', missing: 'needs a file name' },
}
export const MAX_DECOMPRESSED_FLAG: OwnFlag = {
  name: 'max-decompressed',
  describe: 'refuse gzip input that inflates to more than BYTES (default 4 GiB)',
  value: { name: 'BYTES', missing: 'needs a number of bytes', parse: wholeBytes },
}
export const RENDERER_FLAG: OwnFlag = {
  name: 'renderer',
  describe: 'wasm (default: the bundled WebAssembly Graphviz) or dot (Graphviz on PATH)',
  value: {
    name: 'wasm|dot',
    missing: 'needs a value',
    parse: (v) => {
      if (v !== 'wasm' && v !== 'dot') throw new UsageError(`--renderer is wasm (default, bundled Graphviz) or dot (Graphviz on PATH), not ${v}`)
      return v
    },
  },
}
export const MIN_WAIT_FLAG: OwnFlag = {
  name: 'min-wait',
  describe: 'for a goroutine dump: mark where goroutines waiting N+ minutes are parked (default 1)',
  value: {
    name: 'N',
    missing: 'needs a value',
    parse: (v) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--min-wait takes whole minutes, not ${v}`)
      return n
    },
  },
}
export const NO_BROWSER_FLAG: OwnFlag = { name: 'no-browser', describe: 'print the SVG file name instead of opening a browser' }

export interface Split {
  /** Our flags by name: `true` for a switch, else the parsed value (the last one given wins). */
  own: Map<string, string | number | true>
  /** Every other argument, in order: pprof's flags and the inputs. */
  rest: string[]
}

/** Take `flags` out of `args`; everything else is left for the core, unchanged and in order. */
export function splitFlags(args: string[], flags: OwnFlag[]): Split {
  const own = new Map<string, string | number | true>()
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const f = flags.find((f) => a === `--${f.name}` || f.spellings?.includes(a) || (f.value && (f.withEquals ?? [`--${f.name}`]).some((s) => a.startsWith(s + '='))))
    if (!f) {
      rest.push(a)
      continue
    }
    if (!f.value) {
      own.set(f.name, true)
      continue
    }
    const eq = a.indexOf('=')
    const flag = eq > 0 ? a.slice(0, eq) : a
    let v: string
    if (eq > 0) v = a.slice(eq + 1)
    else if (i + 1 < args.length) v = args[++i]
    else throw new UsageError(`${a} ${f.value.missing}`)
    own.set(f.name, f.value.parse ? f.value.parse(v, flag === `-${f.name}` ? `--${f.name}` : flag) : v)
  }
  return { own, rest }
}

/** The yargs option of a flag (for help and completion; the parsing is splitFlags'). */
export function yargsOption(f: OwnFlag): { alias?: string; type: 'boolean' | 'string'; describe: string; requiresArg?: boolean } {
  const alias = f.spellings?.find((s) => /^-[a-z]$/.test(s))?.slice(1)
  return { ...(alias ? { alias } : {}), type: f.value ? 'string' : 'boolean', describe: f.value ? `${f.describe} [${f.value.name}]` : f.describe }
}

const wholeSeconds = (v: string, flag: string) => {
  const n = Number(v)
  if (!Number.isInteger(n)) throw new UsageError(`${flag} takes whole seconds, not ${JSON.stringify(v)}`)
  return n
}

// Where remote sources come from (src/source): pprof's -seconds and -timeout, kubo's API.
/** A flag pprof spells with one dash: `-NAME V`, `-NAME=V`, and ours, `--NAME V`, `--NAME=V`. */
const pprofSpelled = (name: string, describe: string, missing: string): OwnFlag => ({
  name,
  spellings: [`-${name}`],
  withEquals: [`--${name}`, `-${name}`],
  describe,
  value: { name: 'N', missing, parse: wholeSeconds },
})
export const SECONDS_FLAG = pprofSpelled('seconds', 'for a URL source: profile for N seconds (sets seconds=N; a CPU profile is otherwise 30 s, the server default)', 'needs a number of seconds')
export const TIMEOUT_FLAG = pprofSpelled('timeout', "for a URL source: give up after N seconds (default pprof's: 1.5 × the profiling window, else 60)", 'needs a number of seconds')
/** A `--NAME VALUE` flag. */
const valued = (name: string, describe: string, value: NonNullable<OwnFlag['value']>): OwnFlag => ({ name, describe, value })
export const API_FLAG = valued(
  'api',
  "kubo's API for bare profile names (heap, profile, goroutine…): host:port, URL or multiaddr (/unix/… too; default: $IPFS_PATH/api, ~/.ipfs/api, 127.0.0.1:5001)",
  { name: 'ADDR', missing: 'needs an API address' },
)
export const API_AUTH_FLAG = valued('api-auth', 'kubo API.Authorizations secret: bearer:TOKEN or basic:USER:PASS (sent as a header, never printed or saved)', {
  name: 'SECRET',
  missing: 'needs a secret',
})
export const MAX_FETCH_FLAG = valued('max-fetch', 'refuse a fetched body larger than BYTES (default 1 GiB)', { name: 'BYTES', missing: 'needs a number of bytes', parse: wholeBytes })
/** The flags of remote sources, on every command that reads a profile, dump, bundle or JSON file. */
export const SOURCE_FLAGS: OwnFlag[] = [SECONDS_FLAG, TIMEOUT_FLAG, API_FLAG, API_AUTH_FLAG, MAX_FETCH_FLAG]
