// Sources from URLs and kubo's API (src/source), against real servers: the Go fixture program
// (net/http/pprof on 127.0.0.1) for every command kind, small node:http servers in this process
// for what a real server does wrong (an HTML page, a redirect elsewhere, no answer, too much), and
// a real kubo daemon with API.Authorizations. Each fetch saves into its own $PPROF_TMPDIR, so the
// tests can say exactly which file was saved, and that a failed fetch saved none.
import test from 'ava'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'

import { parseRemote, plan, remoteOf } from '../src/source'
import { countdown } from '../src/source/countdown'
import { goprogNamed, type Running, startGoprog } from './goprog'
import { ROOT, runAsync, tmpdir } from './helpers'
import { freePort, IPFS_BIN, kuboAvailable, startKubo } from './kubo'

if (!kuboAvailable()) throw new Error(`urls.spec: ${IPFS_BIN} is missing: run scripts/setup.sh (scripts/install-kubo.sh)`)

let goprog: Running
test.before(async () => {
  goprog = await startGoprog(goprogNamed(), ['-many', '20', '-max-life', '3m', '-gc-every', '1s'])
})
test.after.always(() => {
  goprog?.proc.kill('SIGTERM')
})

/** Run with a fresh $PPROF_TMPDIR; what it printed and the files it saved there. */
async function fetching(args: string[], env: NodeJS.ProcessEnv = {}) {
  const dir = tmpdir('goroscope-saved-')
  const r = await runAsync(args, { PPROF_TMPDIR: dir, ...env })
  return { ...r, dir, saved: fs.readdirSync(dir).sort() }
}

/** The one path printed as `Saved … in PATH`. */
function savedPath(stderr: string): string {
  const m = /^Saved (?:profile|dump|bundle) in (.+)$/m.exec(stderr)
  if (!m) throw new Error(`nothing saved:\n${stderr}`)
  return m[1]
}

/** A local server answering every request with `handler`; its base URL and a close(). */
async function server(handler: http.RequestListener): Promise<{ base: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0
  const s = http.createServer((req, res) => {
    n++
    handler(req, res)
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return {
    base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    hits: () => n,
    close: () =>
      new Promise((r) => {
        s.closeAllConnections()
        s.close(() => r())
      }),
  }
}

test("pprof's URL rules: default path, -seconds, the URL's seconds, timeouts, files first", (t) => {
  const bare = plan(parseRemote('127.0.0.1:6060')!)
  t.is(bare.url.href, 'http://127.0.0.1:6060/debug/pprof/profile')
  t.is(bare.timeoutSeconds, 60, 'no window: 60 s')
  const win = plan(parseRemote('localhost:6060/debug/pprof/profile?b=1&a=2')!, 10)
  t.is(win.url.href, 'http://localhost:6060/debug/pprof/profile?a=2&b=1&seconds=10', 'seconds set, keys sorted as Go encodes them')
  t.is(win.timeoutSeconds, 15, '1.5 × the window')
  t.is(win.deadlineMs, 20_000, 'plus 5 s')
  const inUrl = plan(parseRemote('http://h:1/debug/pprof/profile?seconds=4')!)
  t.is(inUrl.seconds, 4)
  t.is(inUrl.timeoutSeconds, 6)
  t.is(plan(parseRemote('https://h:1/debug/pprof/heap')!, 0, 3).timeoutSeconds, 3, '-timeout wins')
  for (const f of ['cpu.pprof', 'dir/heap.pb.gz', '/abs/file', 'C:x', 'ftp://h:1/x']) t.is(parseRemote(f), null, f)
  const dir = tmpdir()
  const local = path.join(dir, 'host:1234')
  fs.writeFileSync(local, '')
  t.is(remoteOf(local), null, 'an existing file is a file, whatever its name')
  t.is(remoteOf('host:1234')?.url.href, 'http://host:1234/', 'otherwise host:port is a URL')
  t.is(remoteOf('heap', { api: '127.0.0.1:5999' })?.url.href, 'http://127.0.0.1:5999/debug/pprof/heap', 'a bare name is on the API')
})

test('the wait counts down in place on a terminal, and is one line elsewhere', async (t) => {
  const written: string[] = []
  const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream
  const c = countdown(tty, 2)
  await new Promise((r) => setTimeout(r, 1300))
  c.stop()
  t.is(written[0], 'Please wait... (2s)')
  t.true(written.some((w) => w === '\r\x1b[2KPlease wait... (2s, 1s left)'), JSON.stringify(written))
  t.is(written[written.length - 1], '\n')
  const plain: string[] = []
  countdown({ isTTY: false, write: (s: string) => plain.push(s) } as unknown as NodeJS.WriteStream, 30).stop()
  t.deepEqual(plain, ['Please wait... (30s)\n'], "pprof's line, as pprof prints it")
})

test.serial('top over a URL: fetched, saved as pprof names it, and the saved file gives the same top', async (t) => {
  const url = `${goprog.base}/debug/pprof/heap`
  const r = await fetching(['top', url, '-nodecount=5'])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, new RegExp(`^Fetching profile over HTTP from ${url}$`, 'm'))
  t.deepEqual(r.saved, ['pprof.goprog.alloc_objects.alloc_space.inuse_objects.inuse_space.001.pb.gz'])
  const saved = savedPath(r.stderr)
  t.is(saved, path.join(r.dir, r.saved[0]))
  t.regex(r.stdout, /^File: goprog$/m)
  const again = await runAsync(['top', saved, '-nodecount=5'])
  t.is(again.status, 0, again.stderr)
  t.is(again.stdout, r.stdout, 'the saved profile reopens with the identical report')
  t.is(again.stderr, '', 'a file is not fetched')
  // -base takes a URL too (the live heap may move between the two fetches: no totals compared)
  const diff = await fetching(['top', `-base=${url}`, url])
  t.is(diff.status, 0, diff.stderr)
  t.is(diff.stderr.match(/^Fetching profile over HTTP from /gm)?.length, 2)
  t.is(diff.saved.length, 2, 'each fetch is saved')
  t.regex(diff.stdout, /^Type: inuse_space$/m)
  // pprof reads what we saved
  t.regex(execFileSync('go', ['tool', 'pprof', '-raw', saved], { encoding: 'utf8' }), /^PeriodType: space bytes$/m)
})

test.serial('-seconds 1 CPU profile from a bare host:port (the default path), and -timeout', async (t) => {
  const hostPort = goprog.base.replace('http://', '')
  const r = await fetching(['top', '-seconds', '1', hostPort])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, new RegExp(`^Fetching profile over HTTP from ${goprog.base}/debug/pprof/profile\\?seconds=1$`, 'm'))
  t.regex(r.stderr, /^Please wait\.\.\. \(1s\)$/m)
  t.deepEqual(r.saved, ['pprof.goprog.samples.cpu.001.pb.gz'])
  t.regex(r.stdout, /^Duration: 1(\.\d+)?s, Total samples = /m, 'a 1 s window (the server may overrun it a little under load)')
  const again = await runAsync(['top', savedPath(r.stderr)])
  t.is(again.stdout, r.stdout)
  // a second fetch into the same directory takes the next number
  const r2 = await runAsync(['pprof', '-top', `-seconds=1`, '-timeout', '20', `${goprog.base}/debug/pprof/profile`], { PPROF_TMPDIR: r.dir })
  t.is(r2.status, 0, r2.stderr)
  t.is(savedPath(r2.stderr), path.join(r.dir, 'pprof.goprog.samples.cpu.002.pb.gz'))
})

test.serial('every command kind reads URLs: stacks, dot, svg, flame, peek, symbolize, vars, report', async (t) => {
  const dump = `${goprog.base}/debug/pprof/goroutine?debug=2`
  const s = await fetching(['stacks', dump])
  t.is(s.status, 0, s.stderr)
  t.regex(s.stdout, new RegExp(`^${dump.replace(/[?.]/g, '\\$&')}: \\d+ goroutines$`, 'm'))
  t.deepEqual(s.saved, ['pprof.goroutine.debug2.001.txt'], 'a dump is saved as it was sent')
  const again = await runAsync(['stacks', '--json', savedPath(s.stderr)])
  const goroutines = JSON.parse(again.stdout).goroutines as number
  t.true(goroutines >= 20 + 10)
  t.regex(s.stdout, new RegExp(`: ${goroutines} goroutines`))
  // --diff takes a URL too: the base is fetched and saved like the dump
  const grew = await fetching(['stacks', '--diff', dump, savedPath(s.stderr)])
  t.is(grew.status, 0, grew.stderr)
  t.deepEqual(grew.saved, ['pprof.goroutine.debug2.001.txt'])
  t.regex(grew.stdout, /^Change since the base dump$/m)
  // the goroutine endpoint without ?debug= gives stacks its text dump
  const plain = await fetching(['stacks', '--json', `${goprog.base}/debug/pprof/goroutine`])
  t.is(plain.status, 0, plain.stderr)
  t.regex(plain.stderr, /goroutine\?debug=2$/m)

  const dot = await fetching(['dot', `${goprog.base}/debug/pprof/goroutine?debug=2`])
  t.is(dot.status, 0, dot.stderr)
  t.true(dot.stdout.startsWith('digraph'))
  const svgFile = path.join(dot.dir, 'g.svg')
  const svg = await fetching(['svg', `${goprog.base}/debug/pprof/heap`, '-o', svgFile])
  t.is(svg.status, 0, svg.stderr)
  t.regex(fs.readFileSync(svgFile, 'utf8'), /<svg/)
  const flameFile = path.join(dot.dir, 'f.html')
  const flame = await fetching(['flame', `${goprog.base}/debug/pprof/allocs`, '-o', flameFile])
  t.is(flame.status, 0, flame.stderr)
  t.regex(fs.readFileSync(flameFile, 'utf8'), /<html/i)
  const peek = await fetching(['peek', 'runtime\\.main$', `${goprog.base}/debug/pprof/goroutine`])
  t.is(peek.status, 0, peek.stderr)
  t.regex(peek.stdout, /runtime\.main/)
  t.deepEqual(peek.saved, ['pprof.goprog.goroutine.001.pb.gz'])

  const symOut = path.join(dot.dir, 'sym.pb.gz')
  const sym = await fetching(['symbolize', `${goprog.base}/debug/pprof/heap`, '--remote', goprog.base, '-o', symOut])
  t.is(sym.status, 0, sym.stderr)
  t.true(fs.statSync(symOut).size > 0)
  t.is(sym.saved.length, 1)

  const vars = await fetching(['vars', '--json', `${goprog.base}/debug/vars`])
  t.is(vars.status, 0, vars.stderr)
  t.true(JSON.parse(vars.stdout).heapAlloc > 0, 'memstats from the live program')
  t.deepEqual(vars.saved, [], 'JSON is read, not kept')

  // a bundle behind a URL: collect one, serve it, report on it
  const bundle = path.join(dot.dir, 'b.tar.gz')
  const c = await runAsync(['collect', '--api', goprog.base, '-o', bundle, '--collectors', 'stacks,vars'])
  t.is(c.status, 0, c.stderr + c.stdout)
  const srv = await server((_req, res) => res.end(fs.readFileSync(bundle)))
  try {
    const rep = await fetching(['report', '--json', `${srv.base}/bundles/b.tar.gz`])
    t.is(rep.status, 0, rep.stderr)
    t.true(JSON.parse(rep.stdout).goroutines.total >= 30)
    t.deepEqual(rep.saved, ['goroscope.bundle.001.tar.gz'])
  } finally {
    await srv.close()
  }
})

/** A failed fetch: exit 2, the URL and `why` in the one error line, nothing saved. */
async function refused(t: import('ava').ExecutionContext, args: string[], url: string, why: RegExp) {
  const r = await fetching(args)
  t.is(r.status, 2, r.stderr)
  const line = r.stderr.split('\n').find((l) => l.startsWith('goroscope: ')) ?? ''
  t.true(line.startsWith(`goroscope: ${url}: `), line)
  t.regex(line, why)
  t.deepEqual(r.saved, [], 'no file, partial or temporary, is left')
  t.is(r.stdout, '')
}

test.serial('errors name the URL and save nothing: 404, HTML, redirect elsewhere, timeout, refused, too large', async (t) => {
  const missing = `${goprog.base}/debug/pprof/nonexistent`
  await refused(t, ['top', missing], missing, /HTTP 404: Unknown profile/)

  const html = await server((_req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end('<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n')
  })
  const other = await server((_req, res) => res.end('should not be asked'))
  const heap = Buffer.from(await (await fetch(`${goprog.base}/debug/pprof/heap`)).arrayBuffer())
  const redirects = await server((req, res) => {
    if (req.url === '/same') {
      res.writeHead(302, { location: '/debug/pprof/heap' })
      return res.end()
    }
    if (req.url === '/debug/pprof/heap' || req.url === '/debug/pprof/profile') return res.end(heap)
    res.writeHead(302, { location: `${other.base.replace('127.0.0.1', 'localhost')}/debug/pprof/heap` })
    res.end()
  })
  const silent = await server(() => {
    /* never answers */
  })
  const big = await server((_req, res) => res.end(Buffer.alloc(4 * 1024 * 1024, 0x61)))
  try {
    await refused(t, ['top', `${html.base}/debug/pprof/heap`], `${html.base}/debug/pprof/heap`, /not a profile: the server sent text \("<!DOCTYPE html>"\)/)
    await refused(t, ['stacks', `${html.base}/debug/pprof/goroutine?debug=2`], `${html.base}/debug/pprof/goroutine?debug=2`, /not a goroutine dump/)
    await refused(t, ['top', `${redirects.base}/elsewhere`], `${redirects.base}/elsewhere`, /HTTP 302: redirect to another host \(http:\/\/localhost:\d+\) refused/)
    t.is(other.hits(), 0, 'the other host was never asked')
    const guarded = await server((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('ann:s3cr3t-pw').toString('base64')}`) {
        res.writeHead(401)
        return res.end('who are you?')
      }
      res.end(heap)
    })
    try {
      const withUser = await fetching(['top', guarded.base.replace('//', '//ann:s3cr3t-pw@') + '/debug/pprof/heap'])
      t.is(withUser.status, 0, withUser.stderr)
      t.false(withUser.stderr.includes('s3cr3t-pw'), 'the password in the URL is sent, never shown')
      await refused(t, ['top', `${guarded.base}/debug/pprof/heap`], `${guarded.base}/debug/pprof/heap`, /HTTP 401: who are you\?/)
    } finally {
      await guarded.close()
    }
    // host:port without -seconds: the server's own CPU window, no wait line off a terminal (as pprof)
    const bare = await fetching(['top', redirects.base.replace('http://', '')])
    t.is(bare.status, 0, bare.stderr)
    t.regex(bare.stderr, new RegExp(`^Fetching profile over HTTP from ${redirects.base}/debug/pprof/profile$`, 'm'))
    t.false(bare.stderr.includes('Please wait'))
    const same = await fetching(['top', `${redirects.base}/same`])
    t.is(same.status, 0, same.stderr)
    t.is(same.saved.length, 1, 'a redirect on the same host is followed')
    const started = Date.now()
    await refused(t, ['top', '-timeout', '1', `${silent.base}/debug/pprof/heap`], `${silent.base}/debug/pprof/heap`, /timed out after 6\.0s/)
    t.true(Date.now() - started < 20_000, 'the timeout holds')
    const port = await freePort()
    await refused(t, ['top', `127.0.0.1:${port}/debug/pprof/heap`], `http://127.0.0.1:${port}/debug/pprof/heap`, /connection refused/)
    await refused(t, ['top', '--max-fetch', '100000', `${big.base}/debug/pprof/heap`], `${big.base}/debug/pprof/heap`, /reply larger than 100000 bytes/)
  } finally {
    await Promise.all([html, other, redirects, silent, big].map((s) => s.close()))
  }
})

test.serial("kubo's API: stacks --api, pprof --api … heap, sys with the right and a wrong secret", async (t) => {
  const TOKEN = 'goroscope-urls-token-4b3a'
  const k = await startKubo({ authorizations: { alice: { AuthSecret: `bearer:${TOKEN}`, AllowedPaths: ['/api/v0'] } } })
  try {
    const s = await fetching(['stacks', '--api', k.api, '--api-auth', `bearer:${TOKEN}`])
    t.is(s.status, 0, s.stderr)
    t.regex(s.stderr, /^Fetching dump over HTTP from http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/goroutine\?debug=2$/m)
    t.regex(s.stdout, /\d+ goroutines/)
    t.is(s.saved.length, 1)
    // no --api: found in $IPFS_PATH/api, as collect finds it
    const found = await fetching(['stacks', '--json'], { IPFS_PATH: k.ipfsPath })
    t.is(found.status, 0, found.stderr)
    t.true(JSON.parse(found.stdout).goroutines > 10)

    const h = await fetching(['pprof', '--api', k.api, '--api-auth', `bearer:${TOKEN}`, '-top', '-nodecount=3', 'heap'])
    t.is(h.status, 0, h.stderr)
    t.regex(h.stderr, /\/debug\/pprof\/heap$/m)
    t.regex(h.stdout, /^Type: inuse_space$/m)
    t.is(h.saved.length, 1)
    t.regex(h.saved[0], /^pprof\.ipfs\.alloc_objects\.alloc_space\.inuse_objects\.inuse_space\.001\.pb\.gz$/)

    const sys = await fetching(['sys', '--json', '--api', k.api, '--api-auth', `bearer:${TOKEN}`])
    t.is(sys.status, 0, sys.stderr)
    t.truthy(JSON.parse(sys.stdout))
    // a wrong secret: /api/v0 refuses it, /debug/* is not behind API.Authorizations; never echoed
    const WRONG = 'bearer:wrong-urls-secret-77'
    const bad = await fetching(['sys', '--api', k.api, '--api-auth', WRONG])
    t.is(bad.status, 2)
    t.regex(bad.stderr, /^goroscope: http:\/\/127\.0\.0\.1:\d+\/api\/v0\/diag\/sys: HTTP 403/m)
    const heap = await fetching(['top', '--api', k.api, '--api-auth', WRONG, 'heap'])
    t.is(heap.status, 0, heap.stderr)
    for (const r of [s, h, sys, bad, heap]) {
      for (const needle of [TOKEN, 'wrong-urls-secret-77']) {
        t.false((r.stdout + r.stderr).includes(needle), 'the secret is never printed')
        for (const f of r.saved) t.is(fs.readFileSync(path.join(r.dir, f)).indexOf(needle), -1, 'nor saved')
      }
    }
  } finally {
    await k.stop()
  }
})

test.serial("kubo's API on a unix socket (/unix/… multiaddr)", async (t) => {
  const k = await startKubo({ unixApi: true })
  try {
    t.true(k.api.startsWith('/unix/'), k.api)
    const s = await fetching(['stacks', '--json', '--api', k.api])
    t.is(s.status, 0, s.stderr)
    t.true(JSON.parse(s.stdout).goroutines > 10)
    const g = await fetching(['top', '-nodecount=2', 'goroutine'], { IPFS_PATH: k.ipfsPath })
    t.is(g.status, 0, g.stderr)
    t.regex(g.stdout, /^Type: goroutine$/m)
    t.deepEqual(g.saved, ['pprof.ipfs.goroutine.001.pb.gz'])
  } finally {
    await k.stop()
  }
})

test.serial('pprof -http takes a URL: fetched and saved once, then served from the saved profile', async (t) => {
  const dir = tmpdir('goroscope-saved-')
  const url = `${goprog.base}/debug/pprof/heap`
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', '-http=127.0.0.1:0', '-no_browser', url], {
    env: { ...process.env, PPROF_TMPDIR: dir, XDG_CONFIG_HOME: dir, BROWSER: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let err = ''
      child.stderr!.on('data', (b: Buffer) => {
        err += b.toString()
        const m = /Serving web UI on (http:\/\/127\.0\.0\.1:\d+\/)ui\//.exec(err)
        if (m) resolve(m[1])
      })
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)))
    })
    const saved = fs.readdirSync(dir).filter((n) => n.endsWith('.pb.gz'))
    t.deepEqual(saved, ['pprof.goprog.alloc_objects.alloc_space.inuse_objects.inuse_space.001.pb.gz'])
    const info = (await (await fetch(`${base}api/info`)).json()) as { inputs: string[]; sampleTypes: string[] }
    t.deepEqual(info.inputs, [saved[0]], 'the server holds the saved file, not the URL')
    t.deepEqual(info.sampleTypes, ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'])
  } finally {
    child.kill('SIGTERM')
  }
})
