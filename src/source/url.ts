// Which command-line sources are remote, and the URL and deadline pprof would use for them
// (go tool pprof's adjustURL, cmd/pprof/pprof.go):
//   - `http://…` and `https://…` are URLs; so is `host:port[/path][?query]` (pprof parses it
//     after prefixing `http://`), but only when no file of that name exists;
//   - an empty path or `/` means the CPU profile, `/debug/pprof/profile`;
//   - `-seconds N` (> 0) sets `seconds=N` in the query; otherwise a `seconds=` already in the
//     URL is the duration;
//   - the timeout is `-timeout N` when > 0, else 1.5 × the duration, else 60 s; the whole request
//     may take that plus 5 s (pprof's http.Client slack).
// The query is re-encoded with sorted keys, as Go's url.Values.Encode writes it, so the URL
// printed is the one pprof prints.

/** The profiles a Go program's net/http/pprof serves under /debug/pprof/ (a bare name with --api). */
export const PROFILE_TYPES = ['profile', 'heap', 'allocs', 'goroutine', 'goroutineleak', 'mutex', 'block', 'threadcreate'] as const

/** Where net/http/pprof serves a CPU profile; what a bare `host:port` fetches. */
export const CPU_PROFILE_PATH = '/debug/pprof/profile'

/** How long net/http/pprof profiles CPU when no `seconds=` is given. */
export const SERVER_DEFAULT_SECONDS = 30

export interface FetchPlan {
  /** The URL, normalised as pprof prints it. */
  url: URL
  /** The profiling window in seconds (0: a snapshot). */
  seconds: number
  /** The request's deadline in ms (pprof's timeout + 5 s). */
  deadlineMs: number
  /** The timeout in seconds as pprof computes it (for messages). */
  timeoutSeconds: number
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):\d{1,5}(?:[/?].*)?$/

/** The source as a URL, or null when it is not one (a file name). */
export function parseRemote(source: string): URL | null {
  let text: string
  if (/^https?:\/\//i.test(source)) text = source
  else if (HOST_PORT.test(source)) text = `http://${source}`
  else return null
  try {
    const u = new URL(text)
    return u.host ? u : null
  } catch {
    return null
  }
}

/** pprof's rules for the path, `seconds=` and the timeout (`seconds`/`timeout` ≤ 0: not given). */
export function plan(url: URL, seconds = 0, timeout = 0): FetchPlan {
  const u = new URL(url.href)
  if (u.pathname === '' || u.pathname === '/') u.pathname = CPU_PROFILE_PATH
  let duration = 0
  if (seconds > 0) {
    u.searchParams.set('seconds', String(Math.trunc(seconds)))
    duration = Math.trunc(seconds)
  } else {
    const s = u.searchParams.get('seconds')
    if (s !== null && /^[+-]?\d+$/.test(s)) duration = Number(s)
  }
  u.searchParams.sort()
  const t = timeout > 0 ? timeout : duration > 0 ? duration * 1.5 : 60
  return { url: u, seconds: Math.max(0, duration), deadlineMs: (t + 5) * 1000, timeoutSeconds: t }
}

/** How long the server will take: the window, or net/http/pprof's 30 s for a CPU profile without one. */
export function expectedWait(p: FetchPlan): number {
  if (p.seconds > 0) return p.seconds
  return p.url.pathname.endsWith(CPU_PROFILE_PATH) ? SERVER_DEFAULT_SECONDS : 0
}

/** A URL as it may be shown: without a user or password. */
export function shown(u: URL): string {
  if (!u.username && !u.password) return u.href
  const c = new URL(u.href)
  c.username = ''
  c.password = ''
  return c.href
}

/** Whether a source may be remote (a URL, host:port, or a bare profile name for kubo's API): cheap, files unchecked. */
export function mightBeRemote(source: string): boolean {
  return parseRemote(source) !== null || (PROFILE_TYPES as readonly string[]).includes(source.split('?')[0])
}
