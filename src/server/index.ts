// `goroscope pprof -http`: the web UI's HTTP side on node:http. Routes (pprof's scheme where it
// has one): `/` and `/ui/` redirect to the flame graph; `/ui/flamegraph`, `/ui/graph`,
// `/ui/top`, `/ui/peek`, `/ui/source`, `/ui/disasm` are the page (one bundled page, which
// reads its view from the path and its refine options from the query); `/ui/assets/…` its
// bundled script and style; `/api/…` the computed views (views.ts); `POST /ui/saveconfig` and
// `/ui/deleteconfig` edit pprof's settings.json. Nothing else is served: no route reads a file
// named by a request. Every request must carry the bound address as Host (host.ts), and a POST
// from another page's origin is refused.
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'

import { GoroscopeError } from '../native'
import { packageRoot } from '../render/assets'
import { allowedHosts, type Listen } from './host'
import { ParamError, savedOptions } from './params'
import { redirect, Router, text } from './router'
import { Cancelled, type ViewSession } from './session'
import { configMenu, deleteConfig, saveConfig, settingsFile } from './settings'
import * as views from './views'
import type { Answer } from './views'

/** The page's views, as in pprof's URL scheme. */
export const PAGES = ['flamegraph', 'graph', 'top', 'peek', 'source', 'disasm'] as const

const ASSETS: Record<string, { file: string; type: string }> = {
  '/ui/assets/webui.js': { file: 'webui.js', type: 'text/javascript; charset=utf-8' },
  '/ui/assets/webui.css': { file: 'webui.css', type: 'text/css; charset=utf-8' },
}

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

export interface ServerOptions extends Listen {
  /** The loaded input (the pprof web UI). */
  session?: ViewSession
  /** Serve these routes instead of the pprof web UI's (`goroscope serve`: src/server/explorer.ts). */
  router?: Router
  /** pprof's settings.json (default: settingsFile()). */
  settings?: string
}

export interface RunningServer {
  url: string
  server: http.Server
  close(): Promise<void>
}

function asset(file: string): string {
  return fs.readFileSync(path.join(packageRoot(), 'dist', 'pages', file), 'utf8')
}

export function routes(o: ServerOptions & { session: ViewSession }): Router {
  const s = o.session
  const file = o.settings ?? settingsFile()
  const r = new Router()
  const toFlame = (u: URL) => redirect(`/ui/flamegraph${u.search}`)
  r.get('/', toFlame).get('/ui', toFlame).get('/ui/', toFlame)
  const page = asset('webui.html')
  for (const p of PAGES) r.get(`/ui/${p}`, () => ({ status: 200, type: 'text/html; charset=utf-8', body: page, headers: { 'Content-Security-Policy': PAGE_CSP } }))
  for (const [route, a] of Object.entries(ASSETS)) {
    const body = asset(a.file)
    r.get(route, () => ({ status: 200, type: a.type, body }))
  }
  // the browser asks for one; there is none (an empty answer, not a console error)
  r.get('/favicon.ico', () => ({ status: 204, type: 'image/x-icon', body: '' }))
  r.get('/api/info', () => views.info(s))
  r.get('/api/top', (u, sig) => views.top(s, u.searchParams, sig))
  r.get('/api/peek', (u, sig) => views.peek(s, u.searchParams, sig))
  r.get('/api/disasm', (u, sig) => views.disasm(s, u.searchParams, sig))
  r.get('/api/source', (u, sig) => views.source(s, u.searchParams, sig))
  r.get('/api/graph', (u, sig) => views.graph(s, u.searchParams, sig))
  r.get('/api/graph.svg', (u, sig) => views.graphSvg(s, u.searchParams, sig))
  r.get('/api/flame', (u, sig) => views.flame(s, u.searchParams, sig))
  r.get('/api/configs', async () => ({ status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ file, configs: await configMenu(file) }) }))
  r.post('/ui/saveconfig', async (u) => {
    const name = u.searchParams.get('config')
    if (!name) return text(400, 'invalid config name')
    await saveConfig(name, savedOptions(u.searchParams), file)
    return text(200, `saved ${name} in ${file}`)
  })
  r.post('/ui/deleteconfig', async (u) => {
    const name = u.searchParams.get('config')
    if (!name) return text(400, 'invalid config name')
    await deleteConfig(name, file)
    return text(200, `deleted ${name} from ${file}`)
  })
  return r
}

function send(res: http.ServerResponse, a: Answer, head: boolean, started?: number): void {
  res.writeHead(a.status, {
    // how long the server took, for the browser's tools and the measurements (README)
    ...(started === undefined ? {} : { 'Server-Timing': `app;dur=${(performance.now() - started).toFixed(1)}` }),
    'Content-Type': a.type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...a.headers,
  })
  res.end(head ? undefined : a.body)
}

function failure(e: unknown): Answer {
  if (e instanceof ParamError || e instanceof GoroscopeError) return text(400, e.message)
  return text(500, e instanceof Error ? e.message : String(e))
}

/** Start the web UI; resolves once it listens (port 0: a free one). */
export function startServer(o: ServerOptions): Promise<RunningServer> {
  const router = o.router ?? routes(o as ServerOptions & { session: ViewSession })
  let hosts = new Set<string>()
  const server = http.createServer(async (req, res) => {
    const host = (req.headers.host ?? '').toLowerCase()
    if (!hosts.has(host)) return send(res, text(403, `refused: Host ${JSON.stringify(req.headers.host ?? '')} is not this server's address`), false)
    const url = new URL(req.url ?? '/', `http://${host}`)
    const h = router.find(req.method ?? 'GET', url.pathname)
    if (h === undefined) return send(res, text(404, `no such page: ${url.pathname}`), false)
    if (h === null) return send(res, text(405, `${req.method} is not allowed on ${url.pathname}`), false)
    if (req.method === 'POST' && req.headers.origin !== undefined && !hosts.has(req.headers.origin.replace(/^https?:\/\//, '').toLowerCase())) {
      return send(res, text(403, `refused: a request from ${req.headers.origin}`), false)
    }
    const started = performance.now()
    const ac = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) ac.abort()
    })
    let a: Answer
    try {
      a = await h(url, ac.signal, req)
    } catch (e) {
      if (e instanceof Cancelled || ac.signal.aborted) {
        if (!res.destroyed) res.destroy()
        return
      }
      a = failure(e)
    }
    if (!res.destroyed) send(res, a, req.method === 'HEAD', started)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      const port = (server.address() as AddressInfo).port
      hosts = allowedHosts(o.host, port)
      const shown = o.host.includes(':') ? `[${o.host}]` : o.host
      resolve({
        url: `http://${shown}:${port}/`,
        server,
        close: () => new Promise<void>((done) => {
          server.close(() => done())
          server.closeAllConnections()
        }),
      })
    })
  })
}
