// Symbolization: a profile whose locations carry only addresses gets function names (and, from
// a binary, files, lines and inlined frames). From a binary the core does everything natively
// off the main thread; from a live program this module talks to its `/debug/pprof/symbol`
// (POST with `+`-joined addresses; GET with them as the query when the server only routes GET,
// as kubo and other Go ≥ 1.22 method-pattern muxes may) and the core applies the answers.
import { GoroscopeError, call, native } from './native'

export interface SymbolizeOptions {
  /** Which tables of the binary to use: Go's pclntab, then DWARF, then the symbol table (default). */
  prefer?: 'auto' | 'pclntab' | 'dwarf' | 'symtab'
  /** Replace lines that locations already have. */
  force?: boolean
  /** Cap on gzip output when reading the profile (bytes, default 4 GiB). */
  maxDecompressed?: number
}

export interface SymbolizeStats {
  /** Mappings that matched the binary (remote: mappings marked symbolized). */
  mappings: number
  /** Locations that needed symbols. */
  locations: number
  symbolized: number
  unresolved: number
  byPclntab: number
  byDwarf: number
  bySymtab: number
  byRemote: number
  /** The Go pclntab layout found (`go1.20`, …). */
  pclntab?: string
  hasDwarf: boolean
  hasSymtab: boolean
}

export interface SymbolizeResult {
  /** The symbolized profile, gzip profile.proto. */
  profile: Buffer
  stats: SymbolizeStats
}

/**
 * Symbolize a profile (path or Buffer) from the ELF binary that produced it (path). Only
 * mappings whose build id (GNU or Go) or file name matches the binary are touched; a binary
 * that matches none, or a file that is not ELF, is a `GOROSCOPE_SYMBOLIZE` error.
 */
export async function symbolize(input: string | Buffer, binary: string, options: SymbolizeOptions = {}): Promise<SymbolizeResult> {
  return (await call(() => native.symbolizeRaw(input, binary, options))) as SymbolizeResult
}

export interface RemoteOptions extends SymbolizeOptions {
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number
  /** Longest GET URL to send; longer address lists are split (default 8000 characters). */
  maxUrlLength?: number
}

/** `http://host:port`, `…/debug/pprof/` or `…/debug/pprof/symbol` → the symbol endpoint. */
export function symbolURL(url: string): URL {
  const u = new URL(url)
  if (!/\/symbol\/?$/.test(u.pathname)) {
    const p = u.pathname.replace(/\/+$/, '')
    u.pathname = p.endsWith('/debug/pprof') ? `${p}/symbol` : `${p}/debug/pprof/symbol`
  }
  u.search = ''
  return u
}

async function request(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message
    throw new GoroscopeError('GOROSCOPE_REMOTE', `${init.method ?? 'GET'} ${url.href}: ${cause ?? (e as Error).message}`, { cause: e })
  }
}

async function answer(r: Response, url: URL, method: string): Promise<string> {
  const text = await r.text()
  if (!r.ok) throw new GoroscopeError('GOROSCOPE_REMOTE', `${method} ${url.href}: HTTP ${r.status} ${r.statusText}`)
  if (!/^num_symbols:/m.test(text)) throw new GoroscopeError('GOROSCOPE_REMOTE', `${method} ${url.href}: not a /debug/pprof/symbol answer`)
  if (/^num_symbols:\s*0\s*$/m.test(text)) throw new GoroscopeError('GOROSCOPE_REMOTE', `${url.href}: the program has no symbols`)
  return text
}

/** Ask a live Go program's `/debug/pprof/symbol` about `addresses` (`0x…`); returns its answers. */
export async function fetchSymbols(url: string, addresses: string[], options: RemoteOptions = {}): Promise<string[]> {
  const endpoint = symbolURL(url)
  const timeout = options.timeoutMs ?? 30_000
  if (addresses.length === 0) return []
  const post = await request(endpoint, { method: 'POST', body: addresses.join('+'), headers: { 'content-type': 'text/plain' } }, timeout)
  if (post.status !== 404 && post.status !== 405 && post.status !== 501) return [await answer(post, endpoint, 'POST')]
  await post.body?.cancel()
  // GET-only route: the addresses go in the query, a chunk per request.
  const max = Math.max(256, (options.maxUrlLength ?? 8000) - endpoint.href.length - 1)
  const answers: string[] = []
  let chunk: string[] = []
  let len = 0
  const flush = async () => {
    if (chunk.length === 0) return
    const u = new URL(endpoint.href)
    u.search = '?' + chunk.join('+')
    answers.push(await answer(await request(u, { method: 'GET' }, timeout), endpoint, 'GET'))
    chunk = []
    len = 0
  }
  for (const a of addresses) {
    if (len + a.length + 1 > max) await flush()
    chunk.push(a)
    len += a.length + 1
  }
  await flush()
  return answers
}

/**
 * Symbolize a profile from a live program's `/debug/pprof/symbol` (`url`: the program's base
 * URL, its `/debug/pprof/` or the symbol endpoint itself). Names only: the symbol server has
 * no files or lines.
 */
export async function symbolizeRemote(input: string | Buffer, url: string, options: RemoteOptions = {}): Promise<SymbolizeResult> {
  const addresses = (await call(() => native.unsymbolizedAddresses(input, options))) as string[]
  const answers = await fetchSymbols(url, addresses, options)
  return (await call(() => native.applySymbolNamesRaw(input, answers, options))) as SymbolizeResult
}
