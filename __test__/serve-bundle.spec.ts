// `goroscope serve` for bundles, `--diff` and several inputs, driven in headless Chromium. The
// bundle is collected by `goroscope collect` from the running fixture program (and the committed
// example bundle, collected from a real kubo daemon, brings `ipfs diag sys`); the two dumps over
// time are the fixture program's before and after it adds convoy waiters (-late-after). The node
// summary shows the numbers `goroscope report --json` prints, each profile of a bundle opens in
// the pprof web UI with `goroscope top`'s numbers, the --diff view lists what `goroscope stacks
// --diff` lists; foreign Host headers get 403, nothing outside the inputs is served, names from
// the input run nothing, no console errors. Screenshots go to a temporary directory (logged).
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'

import test from 'ava'
import type { Page } from 'playwright-core'

import { readSource } from '../src/bundle/source'
import { tarGzip } from '../src/bundle/tar-write'
import { openPage } from './browser'
import { goprogNamed, startGoprog, type Running } from './goprog'
import { cli, cliRows, ROOT, runAsync, tmpdir } from './helpers'

const KUBO_BUNDLE = path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')
const EVIL_DUMP = path.join(ROOT, '__test__', 'fixtures', 'evil-names.txt')
const EVIL_NAME = '<img src=x onerror="window.__pwned=1">.stacks'
const SHOTS = tmpdir('goroscope-serve-bundle-shots-')
const LATE = 5

interface Served {
  url: string
  child: ChildProcess
}

interface World {
  dir: string
  bundle: string
  evil: string
  base: string
  now: string
  server: Served
  prog: Running
}

let world: World | undefined

/** Start `goroscope serve --http 127.0.0.1:0 --no-browser ARGS` and wait for its index address. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'serve', '--http', '127.0.0.1:0', '--no-browser', ...args], {
    env: { ...process.env, BROWSER: '', XDG_CONFIG_HOME: tmpdir('goroscope-serve-bundle-config-') },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString()
      const m = /Index of the inputs \(node summaries, profiles\): (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)
      if (m) resolve({ url: m[1], child })
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)))
  })
}

function get(url: string, host?: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { Host: host } : {} }, (res) => {
      let body = ''
      res.on('data', (b) => (body += b))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }))
    })
    req.on('error', reject)
  })
}

async function save(url: string, file: string): Promise<void> {
  const r = await fetch(url)
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`)
  fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()))
}

function json(args: string[]): any {
  const r = cli(args)
  if (r.status !== 0) throw new Error(`goroscope ${args.join(' ')}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage })
}

/** The leading whole number of a node-summary row (`12345 (12.06kB)`), by its report field. */
async function rowNumber(page: Page, table: string, key: string): Promise<number> {
  const text = await page.textContent(`#${table} tr[data-key="${key}"] td`)
  return Number(/^-?\d+/.exec(text ?? '')?.[0])
}

async function setup(): Promise<World> {
  const dir = tmpdir('goroscope-serve-bundle-')
  const prog = await startGoprog(goprogNamed(), ['-many', '30', '-max-life', '3m', '-gc-every', '1s', '-late-after', '6s', '-late-waiters', String(LATE)])
  try {
    const base = path.join(dir, 'base.txt')
    await save(`${prog.base}/debug/pprof/goroutine?debug=2`, base)
    const bundle = path.join(dir, 'go.tar.gz')
    const r = await runAsync(['collect', '--api', prog.base, '--seconds', '1', '-o', bundle])
    if (r.status !== 0) throw new Error(`collect exited ${r.status}: ${r.stderr}`)
    // the second dump, once the late waiters joined the convoy
    for (let i = 0; ; i++) {
      const facts = (await (await fetch(`${prog.base}/fixture/facts`)).json()) as { mutex_convoy: { late_waiters: number[] | null } }
      if ((facts.mutex_convoy.late_waiters ?? []).length === LATE) break
      if (i > 100) throw new Error('the fixture program never added its late waiters')
      await new Promise((res) => setTimeout(res, 200))
    }
    const now = path.join(dir, 'now.txt')
    await save(`${prog.base}/debug/pprof/goroutine?debug=2`, now)
    // the collected bundle again, with one more dump whose entry name and frames are hostile
    const src = await readSource(bundle)
    const evil = path.join(dir, 'evil.tar.gz')
    fs.writeFileSync(evil, await tarGzip([...src.entries.map((e) => ({ name: e.name, data: e.data })), { name: EVIL_NAME, data: fs.readFileSync(EVIL_DUMP) }]))
    const server = await serve([bundle, KUBO_BUNDLE, now, evil, '--diff', base])
    return { dir, bundle, evil, base, now, server, prog }
  } catch (e) {
    prog.proc.kill('SIGTERM')
    throw e
  }
}

test.before(async (t) => {
  t.log(`screenshots in ${SHOTS}`)
  world = await setup()
})

test.after.always(() => {
  world?.server.child.kill('SIGTERM')
  world?.prog.proc.kill('SIGTERM')
})

test.serial('the index lists every input with its views; the node summary shows `goroscope report --json`', async (t) => {
  const w = world!
  await openPage(w.server.url, async (page, errors) => {
    await page.waitForSelector('section.input')
    const names = await page.$$eval('section.input h2', (hs) => hs.map((h) => h.textContent))
    t.deepEqual(names, ['1. go.tar.gz', '2. kubo-bundle.tar.gz', '3. now.txt', '4. evil.tar.gz'])
    t.is(await page.textContent('section.input[data-input="2"] .what'), `goroutine dump, ${json(['stacks', '--json', w.now]).goroutines} goroutines, compared with base.txt`)
    await shot(page, 'index')
    for (const [n, file] of [[0, w.bundle], [1, KUBO_BUNDLE]] as const) {
      const want = json(['report', file, '--json'])
      await page.goto(w.server.url)
      await page.click(`section.input[data-input="${n}"] a.summary`)
      await page.waitForSelector('#memory-table')
      t.regex(page.url(), new RegExp(`/bundle/${n}/$`))
      t.is(await page.textContent('#node-table tr[data-key="kind"] td'), want.node.kind)
      if (want.node.version) t.is(await page.textContent('#node-table tr[data-key="version"] td'), want.node.version)
      t.is(await rowNumber(page, 'goroutines-table', 'total'), want.goroutines.total)
      t.is(await rowNumber(page, 'goroutines-table', 'leaked'), want.goroutines.leaked)
      for (const k of ['heapAlloc', 'heapInuse', 'sys', 'nextGC', 'heapObjects', 'numGC', 'pauseMaxNs', 'pauseMeanNs']) {
        t.is(await rowNumber(page, 'memory-table', k), want.memory[k], `${file} ${k}`)
      }
      // the GC pauses, one point per pause with a time, drawn by uPlot on a canvas
      const timed = want.memory.recentPauses.filter((p: { end: string | null }) => p.end !== null).length
      t.true(timed > 0, 'the fixture program runs GC every second; kubo did too')
      t.is(await page.getAttribute('#gc-chart', 'data-points'), String(timed))
      t.truthy(await page.$('#gc-chart .uplot canvas'))
      t.truthy(await page.$('#memory-chart .uplot canvas'))
      // each profile of the report: its total on the row of its file
      for (const p of Object.values(want.profiles) as { file: string; total: number }[]) {
        t.is(Number(/^\d+/.exec((await page.textContent(`tr[data-file="${p.file}"] td.total`)) ?? '')?.[0]), p.total, p.file)
      }
      if (want.sys) {
        t.is(await page.textContent('#sys-table tr[data-key="goVersion"] td'), want.sys.goVersion)
        t.is(await rowNumber(page, 'sys-table', 'numCPU'), want.sys.numCPU)
        t.is(await rowNumber(page, 'sys-table', 'diskTotal'), want.sys.diskTotal)
      } else t.falsy(await page.$('#sys-table'))
      await shot(page, `node-summary-${n}`)
    }
    t.truthy(json(['report', KUBO_BUNDLE, '--json']).sys, 'the kubo bundle has `ipfs diag sys`')
    t.deepEqual(errors, [])
  })
})

test.serial('every profile of a bundle opens in the pprof web UI under its prefix, with `goroscope top` numbers', async (t) => {
  const w = world!
  const src = await readSource(w.bundle)
  const bundle = JSON.parse((await get(`${w.server.url}api/bundle?bundle=0`)).body) as { profiles: { file: string }[] }
  t.true(bundle.profiles.length >= 5, 'goroutines, heap, allocs, cpu, mutex, block')
  const withRows: string[] = []
  await openPage(`${w.server.url}bundle/0/`, async (page, errors) => {
    await page.waitForSelector('table.profiles')
    for (const [k, p] of bundle.profiles.entries()) {
      const file = path.join(w.dir, `extracted-${p.file}`)
      fs.writeFileSync(file, src.entries.find((e) => e.name === p.file)!.data)
      const cliTop = cli(['top', file, '-nodecount=500'])
      t.is(cliTop.status, 0, cliTop.stderr)
      await page.goto(`${w.server.url}bundle/0/`)
      await page.click(`tr[data-file="${p.file}"] a.view-top`)
      await page.waitForURL(new RegExp(`/bundle/0/profile/${k}/ui/top$`))
      await page.waitForFunction(() => document.querySelector('#legend')?.textContent !== '')
      const rows = await page.$$eval('table.top tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent ?? '')))
      t.deepEqual(rows, cliRows(cliTop.stdout), p.file)
      if (rows.length) withRows.push(p.file)
      // the legend's totals are the CLI's (its first line names the input, which differs)
      const legend = (await page.textContent('#legend'))!
      for (const l of cliTop.stdout.split('\n').slice(1, 4)) if (!/^File:/.test(l)) t.true(legend.includes(l), `${p.file}: ${l}`)
    }
    // a second of mutex or block profile may hold no sample; the others do
    for (const f of ['goroutines.pprof', 'heap.pprof', 'allocs.pprof']) t.true(withRows.includes(f), f)
    // the view buttons and the flame graph stay under the prefix
    await page.goto(`${w.server.url}bundle/0/profile/1/`)
    await page.waitForSelector('.frame')
    t.regex(page.url(), /\/bundle\/0\/profile\/1\/ui\/flamegraph$/)
    await shot(page, 'bundle-profile-flame')
    await page.click('button[data-view="graph"]')
    await page.waitForURL(/\/bundle\/0\/profile\/1\/ui\/graph$/)
    const f = (await (await page.waitForSelector('iframe.graph'))!.contentFrame())!
    await f.waitForSelector('g.node')
    t.regex(f.url(), /\/bundle\/0\/profile\/1\/api\/graph\.svg/)
    t.deepEqual(errors, [])
  })
})

test.serial('--diff BASE: the explorer lists what grew since the base, as `goroscope stacks --diff`', async (t) => {
  const w = world!
  const want = json(['stacks', '--json', '--diff', w.base, w.now])
  const changed = want.diff.filter((d: { delta: number }) => d.delta !== 0)
  const convoy = changed.find((d: { function: string }) => d.function === 'main.(*Store).Get')
  t.is(convoy?.delta, LATE, 'the late waiters joined the convoy between the two dumps')
  const inputs = JSON.parse((await get(`${w.server.url}api/dump/inputs`)).body) as { name: string; input: number; base: string | null }[]
  const now = inputs.find((i) => i.name === 'now.txt')!
  t.is(now.base, 'base.txt')
  await openPage(w.server.url, async (page, errors) => {
    await page.click('section.input[data-input="2"] a.explorer')
    await page.waitForURL(new RegExp(`/explorer\\?input=${now.input}$`))
    await page.waitForSelector('#diff table.diff tr.grew')
    const rows = await page.$$eval('#diff table.diff tr:not(:first-child)', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)))
    t.deepEqual(rows, changed.map((d: { delta: number; base: number; current: number; state: string; function: string }) => [d.delta > 0 ? `+${d.delta}` : String(d.delta), String(d.base), String(d.current), d.state, d.function]))
    t.is(await page.textContent('.num-goroutines b'), String(want.goroutines))
    await page.locator('#diff').scrollIntoViewIfNeeded()
    await shot(page, 'explorer-diff', false)
    t.deepEqual(errors, [])
  })
})

test.serial('safety: foreign Host refused, nothing outside the inputs, names from a bundle run nothing', async (t) => {
  const w = world!
  const u = w.server.url
  for (const route of ['', 'api/inputs', 'bundle/0/', 'api/bundle?bundle=0', 'bundle/0/profile/0/ui/top', 'bundle/0/profile/0/api/top', 'assets/node.js']) {
    t.is((await get(`${u}${route}`, 'evil.example:80')).status, 403, route)
    t.is((await get(`${u}${route}`)).status, 200, route)
  }
  t.is((await get(`${u}bundle/0`)).location, '/bundle/0/')
  t.is((await get(`${u}bundle/0/profile/0/`)).location, '/bundle/0/profile/0/ui/flamegraph')
  for (const route of ['bundle/9/', 'bundle/0/profile/99/ui/top', 'bundle/0/profile/0/../../../etc/passwd', 'bundle/0/heap.pprof', 'assets/../../package.json', 'bundle/0/profile/0/ui/assets/node.js']) {
    t.is((await get(`${u}${route}`)).status, 404, route)
  }
  t.is((await get(`${u}api/bundle?bundle=9`)).status, 400)
  t.is((await get(`${u}api/bundle?bundle=..%2F..%2Fetc`)).status, 400)
  const inputs = JSON.parse((await get(`${u}api/dump/inputs`)).body) as { name: string; input: number }[]
  const evil = inputs.find((i) => i.name === `evil.tar.gz:${EVIL_NAME}`)
  t.truthy(evil, 'the hostile entry is one of the explorer inputs')
  await openPage(u, async (page, errors) => {
    await page.waitForSelector('section.input[data-input="3"] a.explorer')
    t.is(await page.$$eval('img', (is) => is.length), 0)
    await page.goto(`${u}bundle/2/`)
    await page.waitForSelector('#goroutines a.explorer')
    t.true((await page.textContent('#goroutines'))!.includes(EVIL_NAME))
    await page.goto(`${u}explorer?input=${evil!.input}`)
    await page.waitForSelector('#groups .group')
    t.true((await page.textContent('#input'))!.includes(EVIL_NAME))
    t.is(await page.$$eval('img', (is) => is.length), 0)
    t.is(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
    t.deepEqual(errors, [])
  })
})

test('bad input: a cut bundle, a file that is no input, a bad --diff base: exit 2 naming the file and where, no server', async (t) => {
  const w = world!
  const dir = tmpdir()
  const whole = fs.readFileSync(w.bundle)
  const cut = path.join(dir, 'cut.tar.gz')
  fs.writeFileSync(cut, whole.subarray(0, 200))
  const notes = path.join(dir, 'notes.txt')
  fs.writeFileSync(notes, 'just some notes\n')
  for (const [args, want] of [
    [[cut], /cut\.tar\.gz: neither a goroutine dump nor a bundle holding a dump or a profile; .*(truncated|unexpected end)/],
    [[notes], /notes\.txt: neither a goroutine dump nor a bundle/],
    [['--diff', notes, w.now], /notes\.txt:1: not a goroutine dump \(offset 0\)/],
    [[path.join(dir, 'missing.tar.gz')], /missing\.tar\.gz: no such file or directory/],
  ] as const) {
    const r = await runAsync(['serve', '--http', '127.0.0.1:0', '--no-browser', ...args])
    t.is(r.status, 2, r.stderr)
    t.regex(r.stderr, want)
    t.notRegex(r.stderr, /Serving/)
  }
})
