// `goroscope serve`: the goroutine explorer served by the real CLI, driven in headless Chromium.
// Its numbers equal `goroscope stacks --json` for the same filters; the wait-for graph of the
// fixture program's dump shows the convoy's holder and the two-mutex deadlock as a red cycle,
// with evidence on hover; a foreign Host header is refused; `<script>` in names runs nothing; no
// console errors; a generated 1M-goroutine dump is paged (time of each page logged). Screenshots
// go to a temporary directory (its path is logged).
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'

import test from 'ava'
import type { Frame as PwFrame, Page } from 'playwright-core'

import { writeMillionDump } from '../bench/million-dump.mjs'
import { openPage } from './browser'
import { cli, FIXTURE_DUMPS, ROOT, tmpdir } from './helpers'

const DUMP = path.join(FIXTURE_DUMPS, 'go127-debug2.txt')
const FACTS = JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, 'go127-debug2.facts.json'), 'utf8'))
const EVIL_DUMP = path.join(ROOT, '__test__', 'fixtures', 'evil-names.txt')
const SHOTS = tmpdir('goroscope-serve-shots-')

interface Served {
  url: string
  child: ChildProcess
}

/** Start `goroscope serve --http 127.0.0.1:0 --no-browser ARGS` and wait for its address. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'serve', '--http', '127.0.0.1:0', '--no-browser', ...args], {
    env: { ...process.env, BROWSER: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString()
      const m = /Serving goroutine explorer on (http:\/\/127\.0\.0\.1:\d+\/)explorer/.exec(err)
      if (m) resolve({ url: m[1], child })
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)))
  })
}

function get(url: string, host?: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { Host: host } : {} }, (res) => {
      let body = ''
      res.on('data', (b) => (body += b))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }))
    })
    req.on('error', reject)
  })
}

function stacksJson(args: string[]): any {
  const r = cli(['stacks', '--json', ...args])
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

async function numbers(page: Page): Promise<Record<string, number>> {
  return page.$$eval('.numbers > span', (ss) => Object.fromEntries(ss.map((s) => [s.className.replace(/^num-/, ''), Number(s.querySelector('b')!.textContent)])))
}

async function graphFrame(page: Page): Promise<PwFrame> {
  const f = (await (await page.$('iframe#waitfor'))!.contentFrame())!
  await f.waitForSelector('g.node')
  return f
}

test.before((t) => t.log(`screenshots in ${SHOTS}`))

test('explorer numbers equal `goroscope stacks --json` for the same filters; paging; foreign Host refused', async (t) => {
  const s = await serve([DUMP])
  try {
    for (const [q, args] of [
      ['', []],
      ['state=lock', ['--state', 'lock']],
      ['match=main%5C.transfer', ['--match', 'main\\.transfer']],
      ['label=role%3Dwaiter&min-wait=1', ['--label', 'role=waiter', '--min-wait', '1']],
    ] as const) {
      const want = stacksJson([...args, DUMP])
      await openPage(`${s.url}explorer${q ? '?' + q : ''}`, async (page, errors) => {
        await page.waitForSelector('.numbers')
        await page.waitForSelector('#groups .group')
        const n = await numbers(page)
        t.is(n.goroutines, want.goroutines, q)
        t.is(n.matched, want.matched, q)
        t.is(n.leaked, want.leaked, q)
        t.is(n.groups, want.groups.length, q)
        t.is(n['hung-groups'], want.hung.length, q)
        t.is(n.locks, want.contention.length, q)
        const counts = await page.$$eval('#groups .group', (gs) => gs.map((g) => Number((g as HTMLElement).dataset.count)))
        t.deepEqual(counts, want.groups.slice(0, 50).map((g: { count: number }) => g.count), q)
        const classes = await page.$$eval('#classes tr', (rs) => rs.map((r) => [r.children[0].textContent, Number(r.children[1].textContent)]))
        t.deepEqual(classes, want.classes.map((c: { class: string; count: number }) => [c.class, c.count]), q)
        t.deepEqual(errors, [], q)
        if (!q) await shot(page, 'explorer')
      })
    }
    // the form sets the URL, and the numbers follow
    await openPage(`${s.url}explorer`, async (page, errors) => {
      await page.waitForSelector('.numbers')
      await page.fill('#f-state', 'chan receive')
      await page.click('#apply')
      await page.waitForURL(/state=chan\+receive/)
      const want = stacksJson(['--state', 'chan receive', DUMP])
      await page.waitForFunction((m) => document.querySelector('.num-matched b')?.textContent === String(m), want.matched)
      t.deepEqual(errors, [])
    })
    // pages of groups: never more than asked, ids cut to 50 with the rest counted
    const all = stacksJson([DUMP])
    const p2 = JSON.parse((await get(`${s.url}api/dump/groups?input=0&offset=5&limit=5`)).body)
    t.is(p2.total, all.groups.length)
    t.deepEqual(p2.groups.map((g: { count: number }) => g.count), all.groups.slice(5, 10).map((g: { count: number }) => g.count))
    const big = JSON.parse((await get(`${s.url}api/dump/groups?input=0&offset=0&limit=1`)).body).groups[0]
    t.is(big.ids.length, Math.min(50, all.groups[0].ids.length))
    t.is(big.idsMore, Math.max(0, all.groups[0].ids.length - 50))
    // DNS rebinding: a foreign Host gets 403 on every route
    for (const route of ['explorer', 'api/dump/summary?input=0', 'api/dump/waitfor.svg?input=0']) {
      const r = await get(`${s.url}${route}`, 'evil.example:80')
      t.is(r.status, 403, route)
    }
    t.is((await get(`${s.url}api/dump/summary?input=0&min-wait=x`)).status, 400)
    t.is((await get(`${s.url}api/dump/summary?input=7`)).status, 400)
    t.is((await get(`${s.url}etc/passwd`)).status, 404)
  } finally {
    s.child.kill('SIGTERM')
  }
})

test('the wait-for graph shows the convoy holder and the deadlock cycle in red, with evidence on hover', async (t) => {
  const s = await serve([DUMP])
  try {
    await openPage(`${s.url}explorer`, async (page, errors) => {
      await page.waitForSelector('.cycle')
      const dl = FACTS.deadlock.participants.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b)
      t.deepEqual(await page.$$eval('.cycle', (cs) => cs.map((c) => (c as HTMLElement).dataset.goroutines)), [dl.join(',')])
      const f = await graphFrame(page)
      // red nodes: exactly the two participants and the two mutexes
      const red = await f.$$eval('g.node.cycle', (ns) => ns.map((n) => n.querySelector('text')!.textContent ?? ''))
      t.deepEqual(red.filter((x) => x.startsWith('goroutine')).sort(), dl.map((g: number) => `goroutine ${g}`).sort())
      const mutexes = FACTS.deadlock.participants.map((p: { holds_mutex_addr: string }) => `lock ${p.holds_mutex_addr}`).sort()
      t.deepEqual(red.filter((x) => x.startsWith('lock')).sort(), mutexes)
      t.is(await f.$$eval('g.edge.cycle', (es) => es.length), 4)
      // the convoy: its mutex → its real holder, ranked first, with the evidence as the tooltip
      const convoy = FACTS.mutex_convoy
      const tips = await f.$$eval('g.edge.heldBy a', (as) => as.map((a) => a.getAttribute('xlink:title') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? ''))
      t.true(tips.some((x) => x.includes(`lock − 0x${convoy.mutex_offset.toString(16)}`) && x.includes('flushLocked')), tips.join('\n---\n'))
      const texts = await f.$$eval('g.node text', (ts) => ts.map((x) => x.textContent ?? ''))
      t.true(texts.includes(`goroutine ${convoy.holder}`))
      t.true(texts.includes(`lock ${convoy.mutex_addr}`))
      t.false(await f.$$eval('g.node.cycle text', (ts, h) => ts.some((x) => x.textContent === `goroutine ${h}`), convoy.holder))
      await shot(page, 'waitfor')
      t.deepEqual(errors, [])
    })
    // the JSON graph: convoy waiters → mutex → holder (rank 0) → what it waits on
    const w = JSON.parse((await get(`${s.url}api/dump/waitfor?input=0`)).body)
    const ln = w.nodes.findIndex((n: { kind: string; lock: string }) => n.kind === 'lock' && n.lock === FACTS.mutex_convoy.mutex_addr)
    const held = w.edges.find((e: { from: number; kind: string; rank: number }) => e.from === ln && e.kind === 'heldBy' && e.rank === 0)
    t.is(w.nodes[held.to].goroutine, FACTS.mutex_convoy.holder)
    const blocked = w.edges.find((e: { from: number; kind: string }) => e.from === held.to && e.kind === 'blockedIn')
    t.true(w.nodes[blocked.to].label.startsWith(FACTS.mutex_convoy.holder_wait_reason))
  } finally {
    s.child.kill('SIGTERM')
  }
})

// A hostile convoy: waiter and holder functions named with markup.
const EVIL_LOCKS = `goroutine 10 [sync.Mutex.Lock, 5 minutes]:
internal/sync.runtime_SemacquireMutex(0xc000100000?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0xc000100018)
	/usr/local/go/src/internal/sync/mutex.go:149 +0x15a
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.(*T).<script>window.__pwned=1</script>(0xc000100000)
	/src/<img src=x onerror=window.__pwned=2>.go:10 +0x51

goroutine 11 [chan receive, 5 minutes]:
main.(*T).hold"]]></svg><script>window.__pwned=3</script>(0xc000100000)
	/src/a.go:20 +0x45
`

test('<script> in function names never runs: groups, leaks and the wait-for graph', async (t) => {
  const dir = tmpdir('goroscope-serve-evil-')
  const evilLocks = path.join(dir, 'evil-locks.txt')
  fs.writeFileSync(evilLocks, EVIL_LOCKS)
  const s = await serve([EVIL_DUMP, evilLocks])
  try {
    for (const input of [0, 1]) {
      await openPage(`${s.url}explorer?input=${input}`, async (page, errors) => {
        await page.waitForSelector('#groups .group')
        t.true((await page.$$eval('#groups .fn', (fs) => fs.map((f) => f.textContent ?? ''))).some((n) => n.includes('<script>')))
        if (input === 1) {
          const f = await graphFrame(page)
          t.true((await f.$$eval('g.node text', (ts) => ts.map((x) => x.textContent ?? ''))).some((x) => x.includes('lock 0xc000100018')))
          const tips = await f.$$eval('g.edge a', (as) => as.map((a) => a.getAttribute('xlink:title') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? ''))
          t.true(tips.some((x) => x.includes('<script>')), tips.join('\n'))
          t.is(await f.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
        }
        await shot(page, `evil-${input}`)
        t.is(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
        t.deepEqual(errors, [])
      })
    }
  } finally {
    s.child.kill('SIGTERM')
  }
})

test('a generated 1M-goroutine dump: pages of groups answer quickly, never every id', async (t) => {
  const dir = tmpdir('goroscope-serve-1m-')
  const file = path.join(dir, 'million.txt')
  const N = 1_000_000
  const STACKS = 2000
  writeMillionDump(file, N, STACKS)
  const t0 = performance.now()
  const s = await serve([file])
  try {
    const first = await get(`${s.url}api/dump/summary?input=0`)
    t.log(`1M goroutines: load ${((performance.now() - t0) / 1000).toFixed(1)} s, first summary ${first.ms.toFixed(0)} ms`)
    const sum = JSON.parse(first.body)
    t.is(sum.goroutines, N)
    t.is(sum.groupCount, STACKS)
    const times: number[] = []
    for (const offset of [0, 50, 1000, 1950, 1999]) {
      const r = await get(`${s.url}api/dump/groups?input=0&offset=${offset}&limit=50`)
      t.is(r.status, 200)
      const p = JSON.parse(r.body)
      t.is(p.groups.length, Math.min(50, STACKS - offset))
      t.true(p.groups.every((g: { ids: number[]; idsMore: number; count: number }) => g.ids.length <= 50 && g.ids.length + g.idsMore === g.count))
      t.true(r.body.length < 200_000, `page of ${r.body.length} bytes`)
      times.push(r.ms)
    }
    t.log(`pages of 50 groups (warm): ${times.map((x) => x.toFixed(1)).join(', ')} ms`)
    // a warm page must not redo the analysis: well under a second on this shared machine
    t.true(Math.max(...times.slice(1)) < 1000, times.join(', '))
    const w = await get(`${s.url}api/dump/waitfor?input=0`)
    t.is(w.status, 200)
    await openPage(`${s.url}explorer?offset=1950`, async (page, errors) => {
      await page.waitForSelector('#groups .group')
      t.is(await page.$$eval('#groups .group', (gs) => gs.length), 50)
      t.deepEqual(errors, [])
    })
  } finally {
    s.child.kill('SIGTERM')
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a bundle and a dump from a URL side by side: the bundle\'s dump, and the labelled dump\'s deadlock cycle', async (t) => {
  const labelled = path.join(FIXTURE_DUMPS, 'go126-labels-debug2.txt')
  const facts = JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-labels-debug2.facts.json'), 'utf8'))
  // the labelled dump comes over HTTP (a URL input is fetched and saved, as for `goroscope stacks`)
  const origin = http.createServer((_req, res) => res.end(fs.readFileSync(labelled)))
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r))
  const port = (origin.address() as { port: number }).port
  const saved = tmpdir('goroscope-serve-saved-')
  const s = await serve([path.join(ROOT, 'examples', 'kubo-bundle.tar.gz'), `http://127.0.0.1:${port}/debug/pprof/goroutine`], { PPROF_TMPDIR: saved })
  origin.close()
  try {
    t.true(fs.readdirSync(saved).some((f) => f.startsWith('pprof.goroutine.debug2.')), 'the fetched dump was saved')
    const inputs = JSON.parse((await get(`${s.url}api/dump/inputs`)).body)
    t.is(inputs[0].name, 'kubo-bundle.tar.gz:goroutines.stacks')
    t.regex(inputs[1].name, /^pprof\.goroutine\.debug2\.\d+\.txt$/)
    t.true(inputs[0].goroutines > 0)
    const want = stacksJson([labelled, '--label', 'role=waiter'])
    const sum = JSON.parse((await get(`${s.url}api/dump/summary?input=1&label=role%3Dwaiter`)).body)
    t.is(sum.matched, want.matched)
    t.is(sum.groupCount, want.groups.length)
    const all = JSON.parse((await get(`${s.url}api/dump/summary?input=1`)).body)
    t.deepEqual(all.cycles.map((c: { goroutines: number[] }) => c.goroutines), [facts.deadlock.participants.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b)])
  } finally {
    s.child.kill('SIGTERM')
  }
})
