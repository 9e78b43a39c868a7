// Where the web UI listens and who may ask it. `-http=[host]:port` as pprof reads it: no host
// means 127.0.0.1 (loopback only); any other interface only when named. Every request's Host
// header must name the bound address (or `localhost` for loopback), so a page elsewhere that
// rebinds its own DNS name to 127.0.0.1 gets 403, not the profile (DNS rebinding).
import * as os from 'node:os'

export interface Listen {
  host: string
  port: number
}

/** Parse pprof's `-http` value: `:8080`, `localhost:0`, `0.0.0.0:80`, `[::1]:8080`. */
export function parseListen(v: string): Listen {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(v)
  const port = m ? Number(m[3]) : NaN
  if (!m || port > 65535) throw new Error(`-http=${v}: give [host]:port, e.g. -http=:8080 or -http=localhost:0`)
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

function bracket(h: string): string {
  return h.includes(':') ? `[${h}]` : h
}

/** The Host header values a request may carry for a server bound to `host` on `port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host])
  if (isLoopback(host)) ['localhost', '127.0.0.1', '::1'].forEach((n) => names.add(n))
  if (host === '0.0.0.0' || host === '::') {
    // every interface: its addresses and the machine's name, and still nothing else
    names.add('localhost').add(os.hostname())
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address)
  }
  const out = new Set<string>()
  for (const n of names) out.add(`${bracket(n).toLowerCase()}:${port}`)
  return out
}
