// The smallest router that does the job: exact paths, one handler per method and path. A
// handler gets the parsed URL and an AbortSignal that fires when the client goes away before
// its answer is written (the session then drops the work if it has not started). A router can
// be mounted under a prefix (`goroscope serve` mounts one pprof web UI per profile of a bundle):
// its routes answer below the prefix, and its redirects stay below it.
import type { IncomingMessage } from 'node:http'

import type { Answer } from './views'

export type Handler = (url: URL, signal: AbortSignal, req: IncomingMessage) => Answer | Promise<Answer>

export class Router {
  private readonly routes = new Map<string, Handler>()
  private readonly mounts = new Map<string, Router>()

  get(path: string, h: Handler): this {
    this.routes.set(`GET ${path}`, h)
    return this
  }

  post(path: string, h: Handler): this {
    this.routes.set(`POST ${path}`, h)
    return this
  }

  /** Answer `prefix/…` (prefix: `/a/b`, no trailing slash) with `sub`'s route `/…`. */
  mount(prefix: string, sub: Router): this {
    this.mounts.set(prefix, sub)
    return this
  }

  /** The handler of `method path`; `undefined` when no route has the path, `null` when another method does. */
  find(method: string, path: string): Handler | null | undefined {
    const h = this.routes.get(`${method === 'HEAD' ? 'GET' : method} ${path}`)
    if (h) return h
    for (const m of ['GET', 'POST']) if (this.routes.has(`${m} ${path}`)) return null
    // a mounted router: the longest prefix that ends at a slash of the path
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const prefix = path.slice(0, i)
      const sub = this.mounts.get(prefix)
      if (sub) return below(prefix, sub.find(method, path.slice(i)))
    }
    const sub = this.mounts.get(path)
    return sub ? below(path, sub.find(method, '/')) : undefined
  }
}

/** `h` of a router mounted at `prefix`: its absolute redirects stay below the prefix. */
function below(prefix: string, h: Handler | null | undefined): Handler | null | undefined {
  if (!h) return h
  return async (url, signal, req) => {
    const a = await h(url, signal, req)
    const to = a.headers?.Location
    return to?.startsWith('/') ? { ...a, headers: { ...a.headers, Location: prefix + to } } : a
  }
}

export function redirect(to: string): Answer {
  return { status: 307, type: 'text/plain; charset=utf-8', body: `see ${to}\n`, headers: { Location: to } }
}

export function text(status: number, body: string): Answer {
  return { status, type: 'text/plain; charset=utf-8', body: body.endsWith('\n') ? body : body + '\n' }
}
