// The smallest router that does the job: exact paths, one handler per method and path. A
// handler gets the parsed URL and an AbortSignal that fires when the client goes away before
// its answer is written (the session then drops the work if it has not started).
import type { IncomingMessage } from 'node:http'

import type { Answer } from './views'

export type Handler = (url: URL, signal: AbortSignal, req: IncomingMessage) => Answer | Promise<Answer>

export class Router {
  private readonly routes = new Map<string, Handler>()

  get(path: string, h: Handler): this {
    this.routes.set(`GET ${path}`, h)
    return this
  }

  post(path: string, h: Handler): this {
    this.routes.set(`POST ${path}`, h)
    return this
  }

  /** The handler of `method path`; `undefined` when no route has the path, `null` when another method does. */
  find(method: string, path: string): Handler | null | undefined {
    const h = this.routes.get(`${method === 'HEAD' ? 'GET' : method} ${path}`)
    if (h) return h
    for (const m of ['GET', 'POST']) if (this.routes.has(`${m} ${path}`)) return null
    return undefined
  }
}

export function redirect(to: string): Answer {
  return { status: 307, type: 'text/plain; charset=utf-8', body: `see ${to}\n`, headers: { Location: to } }
}

export function text(status: number, body: string): Answer {
  return { status, type: 'text/plain; charset=utf-8', body: body.endsWith('\n') ? body : body + '\n' }
}
