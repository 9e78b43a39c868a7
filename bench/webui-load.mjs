#!/usr/bin/env node
// The web UI under load (issue 12's load test; bounded, loopback only): `goroscope pprof -http`
// on google/pprof's large.cpu and `goroscope serve` on a generated 1M-goroutine dump
// (bench/million-dump.mjs), CLIENTS concurrent keep-alive clients for SECONDS, each request
// alternating between the two: a random view and refine of the profile (flame graph, top,
// graph, graph SVG, peek; focus/ignore/hide/show_from) and a random page of the explorer's
// groups (five filter sets). Every distinct request is asked once first (the warm-up fills
// the servers' caches: 20 profile reports, within the session's 24, and the five analyses),
// then each server's RSS is read before and after the run. Prints one JSON line: requests,
// errors, keep-alive retries, p50/p99/max latency per kind (and per profile view), RSS per server.
// Usage: node bench/webui-load.mjs [--clients 20] [--seconds 60] [--goroutines 1000000] [--profile FILE]
// __test__/webui-load.spec.ts runs a small version (runLoad) and asserts no errors and bounded RSS.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import { writeMillionDump } from './million-dump.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const LARGE_CPU = path.resolve(root, '..', 'shared', 'corpus', 'google-pprof', 'internal', 'proftest', 'testdata', 'large.cpu')

const REFINES = ['', 'f=main', 'f=time.now', 'i=runtime', 'h=runtime%5C.', 'sf=main.main']
/** The profile requests: 20 distinct reports (graph and graph.svg share one). */
export const PROFILE_PATHS = [
  ...REFINES.flatMap((r) => ['flame', 'top', 'graph', 'graph.svg'].map((v) => `api/${v}${r ? '?' + r : ''}`)),
  'api/peek?f=time.now',
  'api/peek?f=main.next',
]
const FILTERS = ['', '&state=chan+receive', '&match=worker1', '&min-wait=10', '&sort=wait']

function start(args, ready) {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'goroscope.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  const url = new Promise((resolve, reject) => {
    let err = ''
    child.stderr.on('data', (b) => {
      err += b
      const m = ready.exec(err)
      if (m) resolve(m[1])
    })
    child.on('exit', (c) => reject(new Error(`goroscope ${args[0]} exited ${c}: ${err}`)))
  })
  return { child, url }
}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

function percentiles(lat) {
  lat.sort((a, b) => a - b)
  const q = (p) => +(lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0).toFixed(1)
  return { requests: lat.length, p50ms: q(50), p99ms: q(99), maxms: +(lat[lat.length - 1] ?? 0).toFixed(1) }
}

/**
 * Run the load; resolves to the measurements. `stacks` distinct stacks in the dump;
 * `onError` gets the first few failures (status and path) for the report.
 */
export async function runLoad({ clients = 20, seconds = 60, goroutines = 1_000_000, stacks = 2000, profile = LARGE_CPU } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-webui-load-'))
  const dump = path.join(dir, 'million.txt')
  writeMillionDump(dump, goroutines, stacks)
  const pprof = start(['pprof', '-http=127.0.0.1:0', '-no_browser', profile], /Serving web UI on (http:\/\/127\.0\.0\.1:\d+\/)ui\//)
  const serve = start(['serve', '--http', '127.0.0.1:0', '--no-browser', dump], /on (http:\/\/127\.0\.0\.1:\d+\/)explorer/)
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const failures = []
  let retried = 0
  // A keep-alive socket the server closes as idle (node:http's keepAliveTimeout) just as the
  // client reuses it fails with ECONNRESET before the request reached the server; like a
  // browser, the client sends such a GET again once (Node's `request.reusedSocket` case) and
  // counts it. Any other failure is an error.
  const get = (url, t0 = performance.now(), again = true) =>
    new Promise((resolve) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume()
        res.on('end', () => {
          const ok = res.statusCode === 200
          if (!ok && failures.length < 5) failures.push(`${res.statusCode} ${url}`)
          resolve({ ok, ms: performance.now() - t0 })
        })
      })
      req.on('error', (e) => {
        if (again && req.reusedSocket && e.code === 'ECONNRESET') {
          retried++
          resolve(get(url, t0, false))
          return
        }
        if (failures.length < 5) failures.push(`${e.message} ${url}`)
        resolve({ ok: false, ms: performance.now() - t0 })
      })
    })
  try {
    const [pu, su] = await Promise.all([pprof.url, serve.url])
    const page = () => `${su}api/dump/groups?input=0&offset=${Math.floor(Math.random() * stacks)}&limit=50${FILTERS[Math.floor(Math.random() * FILTERS.length)]}`
    // warm-up: every profile report once, every explorer analysis once
    let errors = 0
    for (const p of PROFILE_PATHS) if (!(await get(pu + p)).ok) errors++
    for (const f of FILTERS) if (!(await get(`${su}api/dump/summary?input=0${f}`)).ok) errors++
    const before = { pprofMB: Math.round(rssOf(pprof.child.pid)), serveMB: Math.round(rssOf(serve.child.pid)) }
    const lat = { profile: [], explorer: [] }
    const byView = {}
    const end = Date.now() + seconds * 1000
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let n = c; Date.now() < end; n++) {
          const kind = n % 2 === 0 ? 'profile' : 'explorer'
          const p = PROFILE_PATHS[Math.floor(Math.random() * PROFILE_PATHS.length)]
          const r = await get(kind === 'profile' ? pu + p : page())
          lat[kind].push(r.ms)
          if (kind === 'profile') (byView[p.replace(/^api\/|\?.*$/g, '')] ??= []).push(r.ms)
          if (!r.ok) errors++
        }
      }),
    )
    const after = { pprofMB: Math.round(rssOf(pprof.child.pid)), serveMB: Math.round(rssOf(serve.child.pid)) }
    return { clients, seconds, goroutines, errors, failures, retried, profile: percentiles(lat.profile), profileViews: Object.fromEntries(Object.entries(byView).map(([v, l]) => [v, percentiles(l)])), explorer: percentiles(lat.explorer), rssBefore: before, rssAfter: after }
  } finally {
    pprof.child.kill('SIGTERM')
    serve.child.kill('SIGTERM')
    agent.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 ? process.argv[i + 1] : def
  }
  // no top-level await: the ava test loads this module through tsx as CommonJS
  runLoad({
    clients: Number(arg('clients', 20)),
    seconds: Number(arg('seconds', 60)),
    goroutines: Number(arg('goroutines', 1_000_000)),
    profile: arg('profile', LARGE_CPU),
  }).then((r) => {
    console.log(JSON.stringify(r))
    process.exitCode = r.errors === 0 ? 0 : 1
  })
}
