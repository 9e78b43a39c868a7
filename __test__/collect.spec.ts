// `goroscope collect` against real servers: a kubo v0.43.1 daemon (offline, loopback, temp repo;
// with and without API.Authorizations, over TCP and a unix socket) and the Go fixture program
// (a plain net/http/pprof server), including one that stops answering mid-collection.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { readSource } from '../src/bundle/source'
import { authHeader, redactor } from '../src/collect/auth'
import type { Manifest } from '../src/bundle/manifest'
import { discover, parseApi } from '../src/collect/target'
import type { NodeReport } from '../src/report-node/analyze'
import { cli, runAsync, tmpdir } from './helpers'
import { goBuild, goprogNamed, type Running, startGoprog as startGoprogAt } from './goprog'
import { IPFS_BIN, kuboAvailable, startKubo, type Kubo } from './kubo'

// scripts/setup.sh installs kubo; a missing daemon is a failure, never a skip.
if (!kuboAvailable()) throw new Error(`collect.spec: ${IPFS_BIN} is missing: run scripts/setup.sh (scripts/install-kubo.sh)`)
const kuboTest = test.serial

async function bundleManifest(file: string): Promise<{ manifest: Manifest; names: string[] }> {
  const src = await readSource(file)
  const m = src.entries.find((e) => e.name === 'manifest.json')!
  return { manifest: JSON.parse(m.data.toString('utf8')), names: src.entries.map((e) => e.name).sort() }
}

function reportJSON(file: string): NodeReport {
  const r = cli(['report', file, '--json'])
  if (r.status !== 0) throw new Error(`report exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

test('API addresses: multiaddr, unix socket, URL, host:port, $IPFS_PATH/api, default', (t) => {
  const a = parseApi('/ip4/127.0.0.1/tcp/5001')
  t.is(a.base, 'http://127.0.0.1:5001')
  t.is(parseApi('/ip6/::1/tcp/5002').base, 'http://[::1]:5002')
  t.is(parseApi('/dns4/node.example/tcp/443/https').base, 'https://node.example:443')
  const u = parseApi('/unix/tmp/ipfs/api.sock')
  t.is(u.socketPath, '/tmp/ipfs/api.sock')
  t.is(parseApi('localhost:5003').base, 'http://localhost:5003')
  t.is(parseApi('http://10.0.0.1:5004/').base, 'http://10.0.0.1:5004')
  t.is(parseApi('/ip4/0.0.0.0/tcp/5005').base, 'http://127.0.0.1:5005')
  t.throws(() => parseApi('/ip4/1.2.3.4/udp/5/quic'))
  const dir = tmpdir()
  fs.writeFileSync(path.join(dir, 'api'), '/ip4/127.0.0.1/tcp/45678\n')
  const d = discover(undefined, { IPFS_PATH: dir, HOME: dir })
  t.is(d.base, 'http://127.0.0.1:45678')
  t.is(d.from, '$IPFS_PATH/api')
  const def = discover(undefined, { HOME: path.join(dir, 'nothing') })
  t.is(def.base, 'http://127.0.0.1:5001')
  t.is(def.from, 'default')
})

test('auth secrets become the header kubo compares, and are redacted', (t) => {
  t.is(authHeader('bearer:tok123'), 'Bearer tok123')
  t.is(authHeader('tok123'), 'Bearer tok123')
  t.is(authHeader('basic:alice:s3cret'), `Basic ${Buffer.from('alice:s3cret').toString('base64')}`)
  t.is(authHeader('basic:YWxpY2U6czNjcmV0'), 'Basic YWxpY2U6czNjcmV0')
  t.throws(() => authHeader('digest:x'))
  const r = redactor('basic:alice:s3cret')
  t.false(r('failed with alice:s3cret and YWxpY2U6czNjcmV0').includes('s3cret'))
})

kuboTest('kubo: collect a bundle, report on it; and report on its own diag profile zip', async (t) => {
  const k = await startKubo()
  try {
    const dir = tmpdir()
    const out = path.join(dir, 'bundle.tar.gz')
    const r = await runAsync(['collect', '--seconds', '2', '-o', out], { IPFS_PATH: k.ipfsPath })
    t.is(r.status, 0, r.stderr + r.stdout)
    t.is(r.stderr, '', 'quiet when not on a TTY')
    const { manifest, names } = await bundleManifest(out)
    t.is(manifest.target.kind, 'kubo')
    t.is(manifest.node?.version, '0.43.1')
    t.is(manifest.target.from, '$IPFS_PATH/api')
    t.true(manifest.complete)
    for (const f of ['goroutines.stacks', 'goroutines.pprof', 'cpu.pprof', 'heap.pprof', 'allocs.pprof', 'mutex.pprof', 'block.pprof', 'vars.json', 'sys.json', 'version.json', 'metrics.prom']) {
      t.true(names.includes(f), f)
    }
    const stacksItem = manifest.items.find((i) => i.name === 'stacks')!
    t.is(stacksItem.request, 'GET /debug/stack', 'kubo’s uncapped dump')
    const mutexItem = manifest.items.find((i) => i.name === 'mutex')!
    t.true(mutexItem.request!.includes('POST /debug/pprof-mutex/?fraction=4'))
    t.true(mutexItem.notes.some((n) => n.includes('then off')), mutexItem.notes.join('; '))
    // goroutineleak: kubo built by Go 1.26 without the experiment answers 404, a skip, not a failure
    const leakNames = ['goroutineleak-stacks', 'goroutineleak']
    const kuboLeaks = servesGoroutineLeak(IPFS_BIN)
    for (const i of manifest.items) {
      if (leakNames.includes(i.name) && !kuboLeaks) {
        t.is(i.status, 'skipped', i.name)
        t.regex(i.error!, /^not offered by this runtime .*HTTP 404/)
        continue
      }
      t.is(i.status, 'ok', `${i.name}: ${i.error}`)
      t.regex(i.sha256!, /^[0-9a-f]{64}$/)
    }
    // the window is shared: the whole run takes about --seconds, not the sum
    const took = Date.parse(manifest.ended) - Date.parse(manifest.started)
    t.true(took < 2000 + 6000, `took ${took} ms`)

    const rep = reportJSON(out)
    t.is(rep.schema, 'goroscope-node-report/1')
    t.is(rep.source.layout, 'goroscope')
    t.is(rep.node.kind, 'kubo')
    t.is(rep.node.version, '0.43.1')
    t.true(rep.goroutines!.total > 10)
    t.truthy(rep.profiles.cpu)
    t.truthy(rep.profiles.heap)
    t.truthy(rep.profiles.allocs)
    t.truthy(rep.profiles.mutex)
    t.truthy(rep.profiles.block)
    t.true(rep.memory!.heapAlloc > 0)
    t.true(rep.memory!.recentPauses.length > 0)
    t.deepEqual(rep.memory!.cmdline!.slice(1), ['daemon', '--offline'])
    t.is(rep.memory!.badger.active, false)
    t.true('badger_disk_reads_total' in rep.memory!.badger.counters, 'badger vars are in every kubo binary')
    t.is(rep.sys!.online, false)
    t.true(rep.sys!.numCPU > 0)
    t.true(rep.metrics!.goGoroutines! > 0)
    t.deepEqual(rep.skipped, [])
    t.deepEqual(rep.collection!.skipped.map((x) => x.name), kuboLeaks ? [] : leakNames)
    const text = cli(['report', out])
    t.is(text.status, 0)
    t.regex(text.stdout, /kubo 0\.43\.1/)
    t.regex(text.stdout, /HeapAlloc/)

    // kubo's own zip: mutex.pprof/block.pprof are legacy text, trace is opaque
    const zip = path.join(dir, 'diag.zip')
    k.ipfs(['diag', 'profile', '--profile-time=2s', '--collectors=goroutines-stack,goroutines-pprof,version,heap,allocs,cpu,mutex,block,trace', '-o', zip])
    const z = reportJSON(zip)
    t.is(z.source.container, 'zip')
    t.is(z.source.layout, 'kubo-diag-profile')
    t.is(z.node.version, '0.43.1')
    t.true(z.goroutines!.total > 10)
    const byName = Object.fromEntries(z.files.map((f) => [f.name, f]))
    t.is(byName['mutex.pprof'].profileType, 'mutex')
    t.regex(byName['mutex.pprof'].detail, /legacy text/)
    t.is(byName['block.pprof'].profileType, 'block')
    t.is(byName['trace'].kind, 'trace')
    t.is(byName['cpu.pprof'].profileType, 'cpu')
    t.truthy(z.profiles.block)
  } finally {
    await k.stop()
  }
})

kuboTest('kubo with API.Authorizations: the secret opens /api/v0, and never reaches the bundle', async (t) => {
  const TOKEN = 'goroscope-test-token-9f8e7d'
  const PASS = 'hunter2-goroscope-pass'
  const k = await startKubo({
    authorizations: {
      alice: { AuthSecret: `bearer:${TOKEN}`, AllowedPaths: ['/api/v0'] },
      bob: { AuthSecret: `basic:bob:${PASS}`, AllowedPaths: ['/api/v0'] },
    },
  })
  try {
    const dir = tmpdir()
    // without the secret: /api/v0/diag/sys is refused (version is always allowed), the rest works
    const noAuth = path.join(dir, 'noauth.tar.gz')
    const r0 = await runAsync(['collect', '--api', k.api, '--seconds', '1', '-o', noAuth, '--collectors', 'version,sys,stacks,vars'])
    t.is(r0.status, 3, 'something is missing')
    const m0 = (await bundleManifest(noAuth)).manifest
    const sys0 = m0.items.find((i) => i.name === 'sys')!
    t.is(sys0.status, 'failed')
    t.regex(sys0.error!, /403/)
    t.is(m0.items.find((i) => i.name === 'stacks')!.status, 'ok', '/debug/* is not behind API.Authorizations')
    t.regex(r0.stdout, /missing sys/)

    for (const secret of [`bearer:${TOKEN}`, `basic:bob:${PASS}`]) {
      const out = path.join(dir, `auth-${secret.slice(0, 5)}.tar.gz`)
      const r = await runAsync(['collect', '--api', k.api, '--seconds', '1', '-o', out, '--api-auth', secret])
      t.is(r.status, 0, r.stderr + r.stdout)
      const { manifest } = await bundleManifest(out)
      t.true(manifest.complete)
      t.true(manifest.options.auth)
      const raw = fs.readFileSync(out)
      const tar = zlib.gunzipSync(raw)
      for (const needle of [TOKEN, PASS, Buffer.from(`bob:${PASS}`).toString('base64')]) {
        t.is(raw.indexOf(needle), -1)
        t.is(tar.indexOf(needle), -1, `${needle} is not in the bundle`)
        t.false(r.stdout.includes(needle) || r.stderr.includes(needle))
      }
    }
    // a wrong secret fails only the /api/v0 parts, and is not echoed
    const bad = path.join(dir, 'bad.tar.gz')
    const rb = await runAsync(['collect', '--api', k.api, '--seconds', '1', '-o', bad, '--api-auth', 'bearer:wrong-secret-xyz', '--collectors', 'sys,vars'])
    t.is(rb.status, 3)
    t.false((rb.stdout + rb.stderr).includes('wrong-secret-xyz'))
    t.is(zlib.gunzipSync(fs.readFileSync(bad)).indexOf('wrong-secret-xyz'), -1)
  } finally {
    await k.stop()
  }
})

kuboTest('kubo over a unix-socket API (/unix/… multiaddr)', async (t) => {
  const k = await startKubo({ unixApi: true })
  try {
    t.true(k.api.startsWith('/unix/'), k.api)
    const out = path.join(tmpdir(), 'unix.tar.gz')
    const r = await runAsync(['collect', '--seconds', '1', '-o', out, '--collectors', 'version,sys,stacks,vars,cpu'], { IPFS_PATH: k.ipfsPath })
    t.is(r.status, 0, r.stderr + r.stdout)
    const { manifest } = await bundleManifest(out)
    t.is(manifest.target.api, k.api)
    t.true(manifest.complete)
  } finally {
    await k.stop()
  }
})

// ---- the Go fixture program: a plain net/http/pprof + expvar server

// Go 1.26.8 without GOEXPERIMENT=goroutineleakprofile: no goroutineleak profile
let goprogBin = ''
function goprog(): string {
  if (!goprogBin) goprogBin = goprogNamed() // the --binary test names the server's executable
  return goprogBin
}

function startGoprog(many = 100, bin = goprog()): Promise<Running> {
  return startGoprogAt(bin, ['-many', String(many), '-max-life', '3m', '-gc-every', '1s'])
}

/** Does this Go binary serve /debug/pprof/goroutineleak? (Go >= 1.27, or the 1.26 experiment) */
function servesGoroutineLeak(bin: string): boolean {
  const info = execFileSync('go', ['version', '-m', bin], { encoding: 'utf8' })
  const v = /: go1\.(\d+)/.exec(info)
  return (v !== null && Number(v[1]) >= 27) || /GOEXPERIMENT=\S*goroutineleakprofile/.test(info)
}

test.serial('plain Go server: kubo-only parts skipped and said so; --binary; report finds the convoy holder', async (t) => {
  const { proc, base } = await startGoprog(100)
  try {
    const facts = (await (await fetch(`${base}/fixture/facts`)).json()) as { mutex_convoy: { holder: number; mutex_addr: string } }
    const out = path.join(tmpdir(), 'go.tar.gz')
    const r = await runAsync(['collect', '--api', base, '--seconds', '1', '-o', out, '--binary'])
    t.is(r.status, 0, r.stderr + r.stdout)
    const { manifest, names } = await bundleManifest(out)
    t.is(manifest.target.kind, 'go')
    const bin = manifest.items.find((i) => i.name === 'binary')!
    t.is(bin.file, 'goprog', 'the server’s own executable, found through its listening socket')
    t.is(bin.sha256, require('node:crypto').createHash('sha256').update(fs.readFileSync(goprog())).digest('hex'))
    t.is(manifest.node, null)
    for (const n of ['version', 'sys', 'metrics']) {
      const i = manifest.items.find((x) => x.name === n)!
      t.is(i.status, 'skipped')
      t.regex(i.error!, /kubo only/)
    }
    t.is(manifest.items.find((x) => x.name === 'stacks')!.request, 'GET /debug/pprof/goroutine?debug=2')
    // Go 1.26 without GOEXPERIMENT=goroutineleakprofile: 404, recorded, exit status still 0
    t.false(servesGoroutineLeak(goprog()))
    for (const n of ['goroutineleak-stacks', 'goroutineleak']) {
      const i = manifest.items.find((x) => x.name === n)!
      t.is(i.status, 'skipped', n)
      t.regex(i.error!, /^not offered by this runtime \(Go >= 1\.27, or Go 1\.26 built with GOEXPERIMENT=goroutineleakprofile\) \(GET \/debug\/pprof\/goroutineleak(\?debug=2)?: HTTP 404\)$/)
    }
    t.true(manifest.complete)
    t.false(names.includes('goroutineleak.stacks') || names.includes('goroutineleak.pprof'))
    t.true(names.includes('cpu.pprof') && names.includes('vars.json') && names.includes('mutex.pprof'))
    const rep = reportJSON(out)
    t.is(rep.node.kind, 'go')
    t.true(rep.goroutines!.total >= 100)
    const lock = rep.goroutines!.contention.find((l) => l.lock === facts.mutex_convoy.mutex_addr)
    t.truthy(lock)
    t.is(lock!.candidates[0].goroutine, facts.mutex_convoy.holder)
    t.true(rep.memory!.numGC > 0)
    t.is(rep.files.find((f) => f.name === 'goprog')!.kind, 'executable')
  } finally {
    proc.kill('SIGTERM')
  }
})

for (const v of [{ go: 'go127' as const }, { go: 'go126' as const, experiment: 'goroutineleakprofile' }]) {
  test.serial(`${v.go}${v.experiment ? ` (GOEXPERIMENT=${v.experiment})` : ''}: goroutineleak is collected after the goroutine dump`, async (t) => {
    const bin = goBuild({ pkg: 'goprog', ...v })
    t.true(servesGoroutineLeak(bin))
    const { proc, base } = await startGoprog(30, bin)
    try {
      const facts = (await (await fetch(`${base}/fixture/facts`)).json()) as { leaked: { available: boolean; ids: number[]; profile_total: number } }
      t.true(facts.leaked.available)
      const out = path.join(tmpdir(), 'leaks.tar.gz')
      const r = await runAsync(['collect', '--api', base, '--seconds', '1', '-o', out, '--collectors', 'stacks,goroutines,goroutineleak-stacks,goroutineleak'])
      t.is(r.status, 0, r.stderr + r.stdout)
      const src = await readSource(out)
      const { manifest } = await bundleManifest(out)
      t.true(manifest.complete)
      t.deepEqual(manifest.items.map((i) => [i.name, i.status, i.file]), [
        ['stacks', 'ok', 'goroutines.stacks'],
        ['goroutines', 'ok', 'goroutines.pprof'],
        ['goroutineleak-stacks', 'ok', 'goroutineleak.stacks'],
        ['goroutineleak', 'ok', 'goroutineleak.pprof'],
      ])
      const text = (name: string) => src.entries.find((e) => e.name === name)!.data.toString('utf8')
      const leakedIn = (dump: string) =>
        [...dump.matchAll(/^goroutine (\d+) \[[^\]]* \(leaked\)/gm)].map((m) => Number(m[1])).sort((a, b) => a - b)
      // the plain dump was taken before the leak-detecting GC; the leak dump marks exactly the facts' leaks
      t.deepEqual(leakedIn(text('goroutines.stacks')), [])
      t.deepEqual(leakedIn(text('goroutineleak.stacks')), [...facts.leaked.ids].sort((a, b) => a - b))
      const raw = path.join(tmpdir(), 'goroutineleak.pprof')
      fs.writeFileSync(raw, src.entries.find((e) => e.name === 'goroutineleak.pprof')!.data)
      const rawText = cli(['raw', raw])
      t.is(rawText.status, 0, rawText.stderr)
      t.regex(rawText.stdout, /^PeriodType: goroutineleak count$/m)
      const samples = rawText.stdout.slice(rawText.stdout.indexOf('\nSamples:\n'), rawText.stdout.indexOf('\nLocations\n'))
      const counts = [...samples.matchAll(/^ +(\d+): /gm)].map((m) => Number(m[1]))
      t.true(counts.length > 0)
      t.is(counts.reduce((a, b) => a + b, 0), facts.leaked.profile_total)
    } finally {
      proc.kill('SIGTERM')
    }
  })
}

/** Established TCP connections whose local (server) port is `port` (Linux /proc/net/tcp). */
function establishedOn(port: number): number {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0')
  return fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[1].endsWith(hex) && f[3] === '01').length
}

test.serial('a server that stops answering mid-collection: what came back is bundled, failures listed, exit 3', async (t) => {
  const { proc, base } = await startGoprog(50)
  try {
    const out = path.join(tmpdir(), 'stopped.tar.gz')
    const run = runAsync(['collect', '--api', base, '--seconds', '3', '--timeout', '2', '-o', out])
    // stop the server once only the three windowed requests (cpu, mutex, block) are still open:
    // every request has its own connection, so count the server's established sockets
    const port = Number(new URL(base).port)
    // (3 open for a quarter of a second: the instant ones are done, the 3 s window is running)
    const deadline = Date.now() + 10_000
    let since = 0
    for (;;) {
      const n = establishedOn(port)
      if (n !== 3) since = 0
      else if (!since) since = Date.now()
      else if (Date.now() - since >= 250) break
      if (Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 10))
    }
    proc.kill('SIGSTOP')
    const r = await run
    t.is(r.status, 3, r.stderr + r.stdout)
    const { manifest, names } = await bundleManifest(out)
    t.false(manifest.complete)
    const by = Object.fromEntries(manifest.items.map((i) => [i.name, i]))
    t.is(by.stacks.status, 'ok')
    t.true(names.includes('goroutines.stacks'))
    for (const n of ['cpu', 'mutex', 'block']) {
      t.is(by[n].status, 'failed', n)
      t.regex(by[n].error ?? '', /timed out/)
      t.false(names.includes(`${n}.pprof`))
    }
    t.regex(r.stdout, /missing cpu: .*timed out/)
    const took = Date.parse(manifest.ended) - Date.parse(manifest.started)
    t.true(took < 3000 + 2000 + 3000, `per-request deadlines bound the run (${took} ms)`)
    const rep = reportJSON(out)
    t.deepEqual(rep.collection!.failed.map((f) => f.name).sort(), ['block', 'cpu', 'mutex'])
    t.true(rep.goroutines!.total >= 50)
  } finally {
    proc.kill('SIGCONT')
    proc.kill('SIGKILL')
  }
})

test.serial('--targets: one bundle per node, concurrently; an unreachable node fails alone', async (t) => {
  const { proc, base } = await startGoprog(20)
  try {
    const dir = tmpdir()
    const a = path.join(dir, 'a.tar.gz')
    const b = path.join(dir, 'b.tar.gz')
    const list = path.join(dir, 'targets.txt')
    fs.writeFileSync(list, `# two nodes\n${base} ${a}\n127.0.0.1:1 ${b}\n`)
    const r = await runAsync(['collect', '--targets', list, '--seconds', '1', '--timeout', '3', '--collectors', 'stacks,vars,cpu'])
    t.is(r.status, 1, r.stderr + r.stdout)
    t.true(fs.existsSync(a))
    t.false(fs.existsSync(b), 'nothing collected, no bundle')
    t.regex(r.stdout, /\(no bundle\)/)
    t.true((await bundleManifest(a)).manifest.complete)
  } finally {
    proc.kill('SIGTERM')
  }
})

test('bad options exit 2', (t) => {
  t.is(cli(['collect', '--collectors', 'cpu,nope', '--api', '127.0.0.1:1']).status, 2)
  t.is(cli(['collect', '--api', '/ip4/1.2.3.4/udp/1']).status, 2)
})
