#!/usr/bin/env node
// Load on the goroutine explorer (bounded, loopback only): `goroscope serve` on a generated
// 1M-goroutine dump (bench/million-dump.mjs), CLIENTS concurrent clients paging groups (random
// offsets, 50 per page; every 10th request a new filter set, which the server analyses once and
// keeps) for SECONDS. Prints p50/p99/max latency, errors, and the server's RSS before/after.
// Usage: node bench/serve-paging.mjs [--clients 20] [--seconds 60]
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import { writeMillionDump } from './million-dump.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const CLIENTS = arg('clients', 20)
const SECONDS = arg('seconds', 60)
const STACKS = 2000

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-serve-bench-'))
const file = path.join(dir, 'million.txt')
writeMillionDump(file, 1_000_000, STACKS)
const child = spawn(process.execPath, [path.join(root, 'bin', 'goroscope.js'), 'serve', '--http', '127.0.0.1:0', '--no-browser', file], { stdio: ['ignore', 'ignore', 'pipe'] })
const base = await new Promise((resolve, reject) => {
  let err = ''
  child.stderr.on('data', (b) => {
    err += b
    const m = /on (http:\/\/127\.0\.0\.1:\d+\/)explorer/.exec(err)
    if (m) resolve(m[1])
  })
  child.on('exit', (c) => reject(new Error(`server exited ${c}: ${err}`)))
})
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })
const get = (p) =>
  new Promise((resolve) => {
    const t0 = performance.now()
    http
      .get(base + p, { agent }, (res) => {
        res.resume()
        res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0 }))
      })
      .on('error', () => resolve({ ok: false, ms: performance.now() - t0 }))
  })
await get('api/dump/summary?input=0')
const filters = ['', '&state=chan+receive', '&match=worker1', '&min-wait=10', '&sort=wait']
for (const f of filters) await get(`api/dump/summary?input=0${f}`)
const rssBefore = rss()
const lat = []
let errors = 0
const end = Date.now() + SECONDS * 1000
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, c) => {
    for (let n = 0; Date.now() < end; n++) {
      const f = filters[(c + Math.floor(n / 10)) % filters.length]
      const r = await get(`api/dump/groups?input=0&offset=${Math.floor(Math.random() * STACKS)}&limit=50${f}`)
      lat.push(r.ms)
      if (!r.ok) errors++
    }
  }),
)
const rssAfter = rss()
lat.sort((a, b) => a - b)
const q = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(1)
console.log(JSON.stringify({ clients: CLIENTS, seconds: SECONDS, requests: lat.length, errors, p50ms: +q(50), p99ms: +q(99), maxms: +lat[lat.length - 1].toFixed(1), rssBeforeMB: Math.round(rssBefore), rssAfterMB: Math.round(rssAfter) }))
child.kill('SIGTERM')
agent.destroy()
fs.rmSync(dir, { recursive: true, force: true })
