// One HTTP request to the node with a hard deadline (a hung endpoint never holds up the run),
// a size cap, unix-socket support and the Authorization header on every request.
import * as http from 'node:http'
import * as https from 'node:https'

import type { Target } from './target'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  /** Whole-request deadline in ms (connect, wait, body). */
  timeoutMs: number
  auth?: string
  maxBytes?: number
  userAgent?: string
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

export function request(t: Target, pathAndQuery: string, o: RequestOptions): Promise<Reply> {
  const url = new URL(t.base + pathAndQuery)
  const mod = url.protocol === 'https:' ? https : http
  const headers: Record<string, string> = { 'user-agent': o.userAgent ?? 'goroscope', accept: '*/*' }
  if (o.auth) headers.authorization = o.auth
  const max = o.maxBytes ?? 2 * 1024 * 1024 * 1024
  return new Promise((resolve, reject) => {
    let settled = false
    const done = (e: Error | null, r?: Reply) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (e) {
        req.destroy()
        reject(e)
      } else resolve(r!)
    }
    const req = mod.request(
      {
        method: o.method ?? 'GET',
        hostname: t.socketPath ? undefined : url.hostname.replace(/^\[|\]$/g, ''),
        port: t.socketPath ? undefined : url.port,
        socketPath: t.socketPath,
        path: url.pathname + url.search,
        headers,
        agent: false,
      },
      (res) => {
        const parts: Buffer[] = []
        let n = 0
        res.on('data', (c: Buffer) => {
          n += c.length
          if (n > max) return done(new HttpError(`reply larger than ${max} bytes`))
          parts.push(c)
        })
        res.on('end', () => {
          // kubo reports errors that happen mid-stream in a trailer
          const streamErr = res.trailers['x-stream-error']
          if (streamErr) return done(new HttpError(`stream error: ${streamErr}`, res.statusCode))
          done(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) })
        })
        res.on('error', (e) => done(e))
        res.on('aborted', () => done(new HttpError('connection closed mid-reply')))
      },
    )
    const timer = setTimeout(() => done(new HttpError(`timed out after ${(o.timeoutMs / 1000).toFixed(1)}s`)), o.timeoutMs)
    req.on('error', (e) => done(e))
    req.end()
  })
}

/** A short description of a non-2xx reply (status and the first line of the body). */
export function describeStatus(r: Reply): string {
  const first = r.body.subarray(0, 300).toString('utf8').split('\n').find((l) => l.trim() !== '') ?? ''
  return `HTTP ${r.status}${first ? `: ${first.trim()}` : ''}`
}
