// One GET of a source over HTTP(S) or kubo's unix-socket API, through collect's request (a hard
// deadline, a size cap, the Authorization header). Redirects are followed (at most 10, as Go's
// http.Client does) only within the same scheme, host and port: a redirect elsewhere is refused,
// so that neither the Authorization header nor the trust the user put in the host moves to another.
import { describeStatus, HttpError, request, type Reply } from '../collect/http'
import type { Target } from '../collect/target'
import { FetchError } from './errors'
import { shown } from './url'

export interface GetOptions {
  deadlineMs: number
  maxBytes: number
  /** The Authorization header (kubo's API.Authorizations). */
  auth?: string
  /** A unix socket to connect to instead of the URL's host. */
  socketPath?: string
  method?: 'GET' | 'POST'
}

const MAX_REDIRECTS = 10

function why(e: unknown, o: GetOptions): string {
  const code = (e as { code?: string }).code
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve host (${code})`
  if (code === 'ECONNRESET') return 'connection reset by the server'
  if (code === 'ENOENT' && o.socketPath) return `no API socket at ${o.socketPath}`
  if (e instanceof HttpError && /^timed out/.test(e.message)) return `${e.message} (raise -timeout)`
  if (e instanceof HttpError && /^reply larger/.test(e.message)) return `${e.message} (the limit is --max-fetch)`
  return (e as Error).message
}

/** GET `url`; a 200 reply's body, or a FetchError naming the URL. */
export async function get(url: URL, o: GetOptions): Promise<Buffer> {
  let at = url
  const started = Date.now()
  for (let hop = 0; ; hop++) {
    const target: Target = { base: at.origin, socketPath: o.socketPath, display: shown(at), from: 'url', host: at.hostname, port: Number(at.port) || null }
    let r: Reply
    try {
      const left = o.deadlineMs - (Date.now() - started)
      if (left <= 0) throw new HttpError(`timed out after ${(o.deadlineMs / 1000).toFixed(1)}s`)
      r = await request(target, at.pathname + at.search, { method: o.method ?? 'GET', timeoutMs: left, auth: o.auth, maxBytes: o.maxBytes })
    } catch (e) {
      throw new FetchError(shown(at), why(e, o), { cause: e })
    }
    if (r.status >= 300 && r.status < 400 && r.headers.location) {
      if (hop >= MAX_REDIRECTS) throw new FetchError(shown(url), `stopped after ${MAX_REDIRECTS} redirects`)
      let next: URL
      try {
        next = new URL(r.headers.location, at)
      } catch {
        throw new FetchError(shown(at), `HTTP ${r.status}: a redirect to an invalid location`)
      }
      if (next.origin !== at.origin) throw new FetchError(shown(at), `HTTP ${r.status}: redirect to another host (${next.origin}) refused`)
      at = next
      continue
    }
    if (r.status !== 200) throw new FetchError(shown(at), describeStatus(r))
    return r.body
  }
}
