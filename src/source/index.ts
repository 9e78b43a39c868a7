// Sources from URLs and kubo's API, for every command that reads a profile, a goroutine dump, a
// bundle or a JSON file: `resolveSource` turns one command-line source into a local file (or
// bytes) the Node API reads, fetching it first when it is remote:
//   - `http(s)://host:port/path?query` or `host:port[/path]` (url.ts: pprof's rules for the
//     default path, `-seconds` and `-timeout`);
//   - with `--api` (kubo: host:port, URL or multiaddr, `/unix/…` sockets; found in
//     `$IPFS_PATH/api` or `~/.ipfs/api` as `collect` finds it), a bare profile name (`heap`,
//     `profile`, `goroutine`, …) or a path (`/debug/pprof/heap?gc=1`) on that API, the
//     `--api-auth` secret sent as kubo's Authorization header and never printed or saved.
// The body must be what the command reads (the core's sniffer decides: an HTML error page is
// refused by name), and is saved as pprof saves what it fetches (save.ts) before it is used.
// Messages go to stderr as pprof prints them: `Fetching profile over HTTP from URL`,
// `Please wait... (Ns)`, `Saved profile in FILE`.
import * as fs from 'node:fs'
import * as zlib from 'node:zlib'

import { authHeader } from '../collect/auth'
import { discover, type Target } from '../collect/target'
import { Profile } from '../profile'
import { isDump, sniff, type InputKind } from '../sniff'
import { countdown } from './countdown'
import { FetchError } from './errors'
import { get } from './fetch'
import { profilePrefix, saveDir, saveNew } from './save'
import { expectedWait, parseRemote, plan, PROFILE_TYPES, shown } from './url'

export { FetchError } from './errors'
export { parseRemote, plan, PROFILE_TYPES } from './url'

/** What a command reads: a profile (or a dump, which the pprof commands read too), a dump, a bundle or JSON. */
export type Want = 'profile' | 'dump' | 'bundle' | 'json'

export interface SourceOptions {
  /** pprof's -seconds: the profiling window (> 0), else the URL's or the server's. */
  seconds?: number
  /** pprof's -timeout in seconds (> 0), else pprof's default. */
  timeout?: number
  /** kubo's API (`--api`); `undefined`: not asked for. `''`: find it as collect does. */
  api?: string
  /** `--api-auth`: a kubo API.Authorizations secret. */
  apiAuth?: string
  /** Refuse bodies larger than this (default 1 GiB). */
  maxBytes?: number
  /** Where messages go (default process.stderr). */
  stderr?: NodeJS.WriteStream
  env?: NodeJS.ProcessEnv
  /** POST instead of GET (kubo's /api/v0 commands). */
  method?: 'GET' | 'POST'
}

export interface Resolved {
  /** A local file holding the source (the saved copy, or a temporary file for a bundle). */
  path?: string
  /** The body, when it was fetched (always for `json`). */
  bytes?: Buffer
  /** What to call it in reports: the file as given, or the URL. */
  name: string
  /** Where the fetched source was saved (printed on stderr). */
  savedTo?: string
  /** What the core's sniffer found in it. */
  kind?: InputKind
}

export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

/**
 * A remote source, as a URL and the kubo API it is on (for a unix socket); null for a local
 * file. A bare profile name (`heap`, `goroutine?debug=2`) that is not a file is on kubo's API:
 * `--api`, else the one `collect` finds (`$IPFS_PATH/api`, `~/.ipfs/api`, 127.0.0.1:5001).
 */
export function remoteOf(arg: string, o: SourceOptions = {}): { url: URL; target?: Target } | null {
  if (isFile(arg)) return null
  const isType = (PROFILE_TYPES as readonly string[]).includes(arg.split('?')[0])
  if (isType || (o.api !== undefined && (arg.startsWith('/debug/') || arg.startsWith('/api/')))) {
    const target = discover(o.api || undefined, o.env ?? process.env)
    return { url: new URL(target.base + (isType ? `/debug/pprof/${arg}` : arg)), target }
  }
  const url = parseRemote(arg)
  return url ? { url } : null
}

const PROFILE_KINDS: InputKind[] = ['profile-proto', 'legacy-profile', 'goroutine-profile', 'goroutine-dump']
const ACCEPTS: Record<Want, (k: InputKind) => boolean> = {
  profile: (k) => PROFILE_KINDS.includes(k),
  dump: isDump,
  bundle: (k) => k === 'zip' || k === 'tar',
  json: (k) => k === 'json',
}
const WANTED: Record<Want, string> = { profile: 'a profile', dump: 'a goroutine dump', bundle: 'a bundle (tar or zip)', json: 'JSON' }

function firstLine(body: Buffer): string {
  const line = body.subarray(0, 200).toString('utf8').split('\n').find((l) => l.trim() !== '') ?? ''
  return line.trim().replace(/[^\x20-\x7e]/g, '?').slice(0, 80)
}

/** The first mapping's file, from the core's raw listing (`1: 0xSTART/0xLIMIT/0xOFF FILE BUILDID [flags]`). */
async function mainBinary(p: Profile): Promise<string | undefined> {
  const raw = (await p.report(['-raw'])).text
  const m = /^Mappings\n1: \S+ (\S*) /m.exec(raw)
  return m?.[1] || undefined
}

async function saveFetched(body: Buffer, kind: InputKind, gzip: boolean, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = saveDir(env)
  if (isDump(kind)) {
    const debug = kind === 'goroutine-profile' ? 'debug1' : 'debug2'
    return saveNew(dir, `pprof.goroutine.${debug}.`, gzip ? '.txt.gz' : '.txt', body)
  }
  if (kind === 'zip' || kind === 'tar') return saveNew(dir, 'goroscope.bundle.', kind === 'zip' ? '.zip' : gzip ? '.tar.gz' : '.tar', body)
  const p = await Profile.load(body)
  const prefix = profilePrefix(await mainBinary(p), p.info.sampleTypes.map((t) => t.type))
  // as pprof writes it: gzipped profile.proto (legacy text is converted by the core)
  const data = kind === 'profile-proto' ? (gzip ? body : zlib.gzipSync(body)) : (await p.report(['-proto'])).proto!
  return saveNew(dir, prefix, '.pb.gz', data)
}

/** A user and password in the URL (`http://user:pass@host/…`) become Basic auth, as Go's client sends them. */
function userInfoAuth(u: URL): string | undefined {
  if (!u.username && !u.password) return undefined
  return `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
}

/** One source as a local file (or, for `json`, bytes), fetched and saved first when it is remote. */
export async function resolveSource(arg: string, want: Want, o: SourceOptions = {}): Promise<Resolved> {
  const remote = remoteOf(arg, o)
  if (!remote) return { path: arg, name: arg }
  const env = o.env ?? process.env
  const err = o.stderr ?? process.stderr
  // the goroutine endpoint sends a profile unless asked for text: a dump is its ?debug=2
  if (want === 'dump' && remote.url.pathname.endsWith('/goroutine') && !remote.url.searchParams.has('debug')) remote.url.searchParams.set('debug', '2')
  const p = plan(remote.url, o.seconds ?? 0, o.timeout ?? 0)
  const where = shown(p.url)
  err.write(`Fetching ${want === 'json' ? 'JSON' : want} over HTTP from ${where}\n`)
  const wait = expectedWait(p)
  // pprof prints its wait line for a window it asked for; the server's default 30 s is counted
  // down on a terminal only
  const cd = wait > 0 && (p.seconds > 0 || err.isTTY) ? countdown(err, wait) : null
  let body: Buffer
  try {
    body = await get(p.url, {
      deadlineMs: p.deadlineMs,
      maxBytes: o.maxBytes ?? DEFAULT_MAX_BYTES,
      auth: authHeader(o.apiAuth) ?? userInfoAuth(p.url),
      socketPath: remote.target?.socketPath,
      method: o.method,
    })
  } finally {
    cd?.stop()
  }
  const s = await sniff(body)
  if (!ACCEPTS[want](s.kind)) {
    const line = firstLine(body)
    throw new FetchError(where, `not ${WANTED[want]}: the server sent ${s.kind === 'empty' ? 'nothing' : `${s.kind}${line && s.kind === 'text' ? ` (${JSON.stringify(line)})` : ''}`}`)
  }
  if (want === 'json') return { bytes: body, name: where, kind: s.kind }
  let saved: string
  try {
    saved = await saveFetched(body, s.kind, s.gzip, env)
  } catch (e) {
    throw new FetchError(where, `fetched, but ${(e as Error).message}`, { cause: e })
  }
  err.write(`Saved ${isDump(s.kind) ? 'dump' : s.kind === 'zip' || s.kind === 'tar' ? 'bundle' : 'profile'} in ${saved}\n`)
  return { path: saved, bytes: body, name: where, savedTo: saved, kind: s.kind }
}

/** pprof flags whose value is the next argument when written `-flag VALUE` (not a source). */
const VALUE_FLAGS = new Set([
  'output', 'o', 'unit', 'source_path', 'trim_path', 'sample_index', 'divide_by', 'tagroot', 'tagleaf', 'nodecount',
  'nodefraction', 'edgefraction', 'focus', 'ignore', 'prune_from', 'hide', 'show', 'show_from', 'tagfocus', 'tagignore',
  'tagshow', 'taghide', 'disasm', 'list', 'peek', 'weblist', 'symbolize', 'add_comment', 'buildid', 'tools', 'http',
  'timeout', 'seconds',
])
/** Flags whose value is itself a source. */
const SOURCE_VALUE_FLAGS = new Set(['base', 'diff_base'])

/**
 * pprof's command line with its remote sources (positional, and the values of -base and
 * -diff_base) replaced by the files they were saved in; everything else as it was, in order.
 */
export async function resolveArgs(args: string[], o: SourceOptions = {}): Promise<{ args: string[]; resolved: Resolved[] }> {
  const out: string[] = []
  const resolved: Resolved[] = []
  const one = async (a: string) => {
    const r = await resolveSource(a, 'profile', o)
    if (r.savedTo) resolved.push(r)
    return r.path!
  }
  let sources = 0
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const m = /^--?([A-Za-z_]+)(=(.*))?$/s.exec(a)
    if (m && a !== '-') {
      const name = m[1]
      if (m[2] !== undefined) {
        out.push(SOURCE_VALUE_FLAGS.has(name) ? `-${name}=${await one(m[3])}` : a)
      } else if ((VALUE_FLAGS.has(name) || SOURCE_VALUE_FLAGS.has(name)) && i + 1 < args.length) {
        out.push(a, SOURCE_VALUE_FLAGS.has(name) ? await one(args[++i]) : args[++i])
      } else out.push(a)
      continue
    }
    sources++
    out.push(await one(a))
  }
  // `--api` alone: the CPU profile, as a bare host:port is
  if (sources === 0 && o.api !== undefined) out.push(await one('profile'))
  return { args: out, resolved }
}
