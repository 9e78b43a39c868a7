// `goroscope pprof -http`: the web UI served by the real CLI, driven in headless Chromium.
// Every view loads without console errors and shows the numbers the CLI prints for the same
// flags; right-click refines change the URL and the numbers; a foreign Host header is
// refused; a profile whose names hold <script> runs nothing. Screenshots of each view go to a
// temporary directory (its path is logged).
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'

import test from 'ava'
import type { Page } from 'playwright-core'

import { decodeFlame } from '../src/pages/webui/flame-data'
import { Profile } from '../src/profile'
import { allowedHosts, parseListen } from '../src/server/host'
import { startServer } from '../src/server/index'
import { flagsOf, queryOf, savedOptions } from '../src/server/params'
import { Cancelled, ViewSession } from '../src/server/session'
import { PEEK_LINES } from '../src/server/views'
import { openPage } from './browser'
import { cli, cliRows, CORPUS, ROOT, tmpdir } from './helpers'
import { serve, stop } from './webui-serve'

const LARGE = path.join(CORPUS, 'google-pprof', 'internal', 'proftest', 'testdata', 'large.cpu')
const ALLOCS = path.join(ROOT, 'fixtures', 'profiles', 'go126-allocs.pb.gz')
const EVIL_DUMP = path.join(ROOT, '__test__', 'fixtures', 'evil-names.txt')
const SHOTS = tmpdir('goroscope-webui-shots-')

function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { Host: host } : {} }, (res) => {
      let body = ''
      res.on('data', (b) => (body += b))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
  })
}

async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('table.top tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent ?? '')))
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage })
}

test.before(() => {
  console.log(`webui screenshots: ${SHOTS}`)
})

test('every view loads without console errors and shows the CLI numbers; right-click focus changes URL and numbers', async (t) => {
  const s = await serve([ALLOCS])
  try {
    await openPage(`${s.url}ui/`, async (page, errors) => {
      // / and /ui/ lead to the flame graph, pprof's default view
      await page.waitForSelector('.frame')
      t.regex(page.url(), /\/ui\/flamegraph$/)
      const legend = await page.textContent('#legend')
      const cliTop = cli(['top', ALLOCS, '-nodecount=500'])
      t.is(cliTop.status, 0)
      // the legend is the CLI's
      for (const l of cliTop.stdout.split('\n').slice(0, 4)) t.true(legend!.includes(l), l)
      // the root frame's value is the report total; the heaviest function has a frame
      const json = JSON.parse(cli(['top', ALLOCS, '--json']).stdout) as { total: number; top: Array<{ name: string; cum: number }> }
      t.is(Number(await page.getAttribute('.frame[data-node="0"]', 'data-value')), json.total)
      const frames = await page.$$eval('.frame', (fs) => fs.map((f) => [f.textContent ?? '', Number((f as HTMLElement).dataset.value)] as [string, number]))
      const heaviest = frames.filter(([n]) => n === json.top[0].name).reduce((a, [, v]) => a + v, 0)
      t.is(heaviest, json.top[0].cum)
      await page.hover('.frame[data-node="0"]')
      t.regex((await page.textContent('#tip'))!, /^root\n\S+ \(100%\)$/)
      await shot(page, 'flamegraph')
      // right-click a frame: Focus on it; the URL and the legend change, back returns
      const heavy = page.locator('.frame', { hasText: new RegExp(`^${json.top[0].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first()
      await heavy.click({ button: 'right' })
      await page.click('#menu li[data-action="Focus"]')
      await page.waitForFunction(() => new URL(location.href).searchParams.has('f'))
      await page.waitForFunction(() => (document.getElementById('legend')!.textContent ?? '').includes('Active filters'))
      await page.goBack()
      await page.waitForFunction(() => !(document.getElementById('legend')!.textContent ?? '').includes('Active filters'))

      await page.click('button[data-view="top"]')
      await page.waitForSelector('table.top tbody tr')
      t.regex(page.url(), /\/ui\/top$/)
      t.deepEqual(await tableRows(page), cliRows(cliTop.stdout))
      await shot(page, 'top')

      // right-click the second row's name: Focus
      const rows = cliRows(cliTop.stdout)
      const name = rows[1][5]
      await page.click('table.top tbody tr:nth-child(2) td.name', { button: 'right' })
      await page.click('#menu li[data-action="Focus"]')
      await page.waitForFunction((n) => new URL(location.href).searchParams.get('f') === n, `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
      await page.waitForFunction(() => (document.getElementById('legend')!.textContent ?? '').includes('Active filters'))
      const focused = cli(['top', ALLOCS, '-nodecount=500', `-focus=${new URL(page.url()).searchParams.get('f')}`])
      t.deepEqual(await tableRows(page), cliRows(focused.stdout))
      t.notDeepEqual(cliRows(focused.stdout), rows)

      // peek: pprof's peek view (focus and peek on f, by line)
      // a click on a name peeks at it
      await page.click('table.top tbody tr:nth-child(1) td.name')
      await page.waitForSelector('pre.peek')
      const f = new URL(page.url()).searchParams.get('f')!
      const cliPeek = cli(['peek', f, ALLOCS, `-focus=${f}`, '-lines'])
      t.is(cliPeek.status, 0)
      t.is(await page.textContent('pre.peek'), cliPeek.stdout)
      await shot(page, 'peek')

      // the sample selector changes every view
      await page.click('button[data-view="top"]')
      await page.waitForSelector('table.top tbody tr')
      await page.selectOption('#sample', 'alloc_objects')
      await page.waitForFunction(() => new URL(location.href).searchParams.get('si') === 'alloc_objects')
      await page.waitForFunction(() => (document.getElementById('legend')!.textContent ?? '').includes('Type: alloc_objects'))
      const objs = cli(['top', ALLOCS, '-nodecount=500', `-focus=${f}`, '-sample_index=alloc_objects'])
      t.deepEqual(await tableRows(page), cliRows(objs.stdout))

      // the graph: drawn, and a click on a node focuses on it
      await page.goto(`${s.url}ui/graph`)
      const frame = await (await page.waitForSelector('iframe.graph'))!.contentFrame()
      await frame!.waitForSelector('g.node')
      t.true((await frame!.$$('g.node')).length > 1)
      await shot(page, 'graph')
      const tip = await frame!.$eval('g.node a', (a) => a.getAttribute('xlink:title') ?? '')
      const fn = tip.replace(/ \([^()]*\)$/, '')
      await frame!.click('g.node text')
      await page.waitForFunction(() => new URL(location.href).searchParams.has('f'))
      t.is(new URL(page.url()).searchParams.get('f'), `^${fn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

      // a link reproduces the view: open the URL afresh
      await page.goto(`${s.url}ui/top?f=${encodeURIComponent('^main\\.')}`)
      await page.waitForSelector('table.top tbody tr')
      t.deepEqual(await tableRows(page), cliRows(cli(['top', ALLOCS, '-nodecount=500', '-focus=^main\\.']).stdout))

      // (the Source view: weblist.spec.ts; Disassemble: disasm.spec.ts)
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})

test('a foreign Host header gets 403; only known routes answer; bad refine is a 400', async (t) => {
  const s = await serve([ALLOCS])
  try {
    t.is((await get(`${s.url}api/info`)).status, 200)
    t.is((await get(`${s.url}api/info`, 'attacker.example:80')).status, 403)
    t.is((await get(`${s.url}ui/top`, `rebind.example:${new URL(s.url).port}`)).status, 403)
    t.is((await get(`${s.url}../../etc/passwd`)).status, 404)
    t.is((await get(`${s.url}ui/assets/../../package.json`)).status, 404)
    const bad = await get(`${s.url}api/top?f=${encodeURIComponent('(')}`)
    t.is(bad.status, 400)
    t.regex(bad.body, /focus|regexp|parse/i)
    t.is((await get(`${s.url}api/top?g=bogus`)).status, 400)
  } finally {
    stop(s)
  }
})

test('config save writes pprof settings.json and the menu applies it', async (t) => {
  const s = await serve([ALLOCS])
  try {
    await openPage(`${s.url}ui/top?f=${encodeURIComponent('^main\\.')}`, async (page, errors) => {
      await page.waitForSelector('table.top tbody tr')
      await page.fill('#config-name', 'mine')
      await page.click('#config-save')
      await page.waitForFunction(() => Array.from(document.querySelectorAll('#config-menu option')).some((o) => o.textContent === 'mine'))
      const saved = JSON.parse(fs.readFileSync(path.join(s.config, 'pprof', 'settings.json'), 'utf8'))
      t.deepEqual(saved, { configs: [{ name: 'mine', focus: '^main\\.' }] })
      await page.goto(`${s.url}ui/top`)
      await page.waitForSelector('table.top tbody tr')
      await page.selectOption('#config-menu', { label: 'mine' })
      await page.waitForFunction(() => new URL(location.href).searchParams.get('f') === '^main\\.')
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})

test('<script> in function names never runs, in any view', async (t) => {
  // our encoder: the dump as a profile, written as profile.proto by the core
  const dir = tmpdir('goroscope-webui-evil-')
  const file = path.join(dir, 'evil.pb.gz')
  const r = await (await Profile.fromStacks(EVIL_DUMP)).report(['-proto'])
  fs.writeFileSync(file, r.proto!)
  const s = await serve([file])
  try {
    await openPage(`${s.url}ui/flamegraph`, async (page, errors) => {
      const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)
      await page.waitForSelector('.frame')
      t.true((await page.$$eval('.frame', (fs) => fs.map((f) => f.textContent ?? ''))).some((n) => n.includes('<script>')))
      for (const v of ['top', 'peek', 'graph']) {
        await page.goto(`${s.url}ui/${v}${v === 'peek' ? '?f=script' : ''}`)
        await page.waitForSelector(v === 'top' ? 'table.top tbody tr' : v === 'peek' ? 'pre.peek' : 'iframe.graph')
        if (v === 'graph') await (await (await page.$('iframe.graph'))!.contentFrame())!.waitForSelector('g.node')
        if (v === 'top') {
          await page.click('table.top tbody tr td.name >> text=/script/', { button: 'right' })
          await page.waitForSelector('#menu:not([hidden])')
        }
        await shot(page, `evil-${v}`)
      }
      t.is(await pwned(), undefined)
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})

test('-diff_base: the flame graph colours what grew and shrank, with the CLI difference', async (t) => {
  // two real profiles that differ: one without main.setupRW, the base without main.setupConvoy
  const dir = tmpdir('goroscope-webui-diff-')
  const now = path.join(dir, 'now.pb.gz')
  const base = path.join(dir, 'base.pb.gz')
  t.is(cli(['proto', ALLOCS, '-ignore=main.setupRW', '-o', now]).status, 0)
  t.is(cli(['proto', ALLOCS, '-ignore=main.setupConvoy', '-o', base]).status, 0)
  const s = await serve([`-diff_base=${base}`, now])
  try {
    await openPage(`${s.url}ui/`, async (page, errors) => {
      await page.waitForSelector('.frame')
      t.regex((await page.textContent('#title'))!, /diff against base/)
      const diff = JSON.parse(cli(['top', now, `-diff_base=${base}`, '--json']).stdout) as { top: Array<{ name: string; cum: number }> }
      const grew = diff.top.find((r) => r.name === 'main.setupConvoy')!
      t.true(grew.cum > 0)
      const frame = page.locator('.frame', { hasText: /^main\.setupConvoy$/ })
      t.is(Number(await frame.getAttribute('data-change')), grew.cum)
      t.regex((await frame.getAttribute('style'))!, /background: rgb\(2\d\d, \d+, \d+\)/) // red
      await frame.hover()
      t.regex((await page.textContent('#tip'))!, /change against the base: \+/)
      await shot(page, 'flamegraph-diff')
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})

test('the session drops a queued report whose request was abandoned', async (t) => {
  const s = await ViewSession.open([ALLOCS])
  const ac = new AbortController()
  // two reports take both workers; the third waits, and is abandoned before it starts
  const busy = [s.report(['-top', '-nodecount=1']), s.report(['-traces'])]
  const dropped = s.report(['-tree'], ac.signal)
  ac.abort()
  await t.throwsAsync(dropped, { instanceOf: Cancelled })
  await Promise.all(busy)
  t.is(s.cancelled, 1)
  t.is(s.started, 2)
  // shared work stays wanted while one of its requests is
  const a = new AbortController()
  const busy2 = [s.report(['-raw']), s.report(['-tags'])]
  const p1 = s.report(['-comments'], a.signal)
  const p2 = s.report(['-comments'])
  a.abort()
  await Promise.all([...busy2, p1, p2])
  t.is(s.started, 5)
  // a finished report is answered from the cache
  await s.report(['-top', '-nodecount=1'])
  t.is(s.started, 5)
})

test('a client that disconnects before its report starts cancels that work', async (t) => {
  // large.cpu: reports slow enough that a third request waits for a worker
  const session = await ViewSession.open([LARGE])
  const srv = await startServer({ host: '127.0.0.1', port: 0, session, settings: path.join(tmpdir(), 'settings.json') })
  try {
    const busy = [get(`${srv.url}api/top?f=main`), get(`${srv.url}api/top?f=time`)]
    const u = new URL(`${srv.url}api/peek?f=main.next`)
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search })
    req.on('error', () => {}) // we hang up ourselves
    const deadline = Date.now() + 60_000
    while (session.queued < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    t.is(session.queued, 1)
    req.destroy()
    const answers = await Promise.all(busy)
    t.deepEqual(answers.map((a) => a.status), [200, 200])
    while (session.queued > 0) await new Promise((r) => setTimeout(r, 5))
    t.is(session.cancelled, 1)
    t.is(session.started, 2)
    // one driver session for the input: fetched (merged, based) once for every view
    t.is(session.profile.fetches, 1)
  } finally {
    await srv.close()
  }
})

test('a goroutine dump: every view works on it, the graph marks where hung goroutines are parked', async (t) => {
  const dump = path.join(ROOT, 'fixtures', 'dumps', 'go126-debug2-minutes.txt')
  const s = await serve([dump])
  try {
    const svg = await get(`${s.url}api/graph.svg`)
    t.is(svg.status, 200)
    t.regex(svg.body, /parked here 1\+ minutes/)
    const top = JSON.parse((await get(`${s.url}api/top`)).body) as { legend: string[] }
    t.true(top.legend.some((l) => l.startsWith('Type: goroutine')))
  } finally {
    stop(s)
  }
})

test('bad input: a clear error naming the file or the flag, non-zero exit, no server', (t) => {
  const missing = cli(['pprof', '-http=127.0.0.1:0', '-no_browser', '/nonexistent/cpu.pprof'])
  t.not(missing.status, 0)
  t.regex(missing.stderr, /\/nonexistent\/cpu\.pprof: no such file/)
  const notProfile = cli(['pprof', '-http=127.0.0.1:0', '-no_browser', path.join(ROOT, 'README.md')])
  t.not(notProfile.status, 0)
  t.regex(notProfile.stderr, /README\.md: parsing profile/)
  const badListen = cli(['pprof', '-http=nowhere', '-no_browser', ALLOCS])
  t.is(badListen.status, 2)
  t.regex(badListen.stderr, /-http=nowhere: give \[host\]:port/)
  t.false(/Serving web UI/.test(missing.stderr + notProfile.stderr + badListen.stderr))
})

test('-http addresses: loopback unless a host is named; the Host names a request may carry', (t) => {
  t.deepEqual(parseListen(':8080'), { host: '127.0.0.1', port: 8080 })
  t.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 })
  t.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 })
  t.deepEqual(parseListen('0.0.0.0:80'), { host: '0.0.0.0', port: 80 })
  for (const bad of ['8080', 'host', ':99999', 'a:b', '']) t.throws(() => parseListen(bad), { message: /give \[host\]:port/ })
  const lo = allowedHosts('127.0.0.1', 8080)
  t.true(lo.has('127.0.0.1:8080') && lo.has('localhost:8080') && lo.has('[::1]:8080'))
  t.false(lo.has('127.0.0.1:8081') || lo.has('evil.example:8080') || lo.has('localhost'))
  t.deepEqual([...allowedHosts('::1', 1)].includes('[::1]:1'), true)
})

test('URL parameters are pprof flags in pprof names; saved configs use settings.json names', (t) => {
  const q = new URLSearchParams({ f: 'main', i: 'runtime', si: 'alloc_space', g: 'lines', sort: 'cum', mean: 'true', n: '5', x: 'ignored' })
  t.deepEqual(flagsOf(q), ['-focus=main', '-ignore=runtime', '-sample_index=alloc_space', '-nodecount=5', '-lines', '-cum', '-mean=true'])
  // pprof does not save sample_index
  t.deepEqual(savedOptions(q), { focus: 'main', ignore: 'runtime', nodecount: 5, granularity: 'lines', sort: 'cum', mean: true })
  t.is(queryOf(savedOptions(q)).toString(), 'f=main&i=runtime&n=5&g=lines&sort=cum&mean=true')
  t.throws(() => flagsOf(new URLSearchParams({ g: 'bogus' })), { message: /granularity/ })
  t.throws(() => flagsOf(new URLSearchParams({ n: 'many' })), { message: /number/ })
  t.throws(() => flagsOf(new URLSearchParams({ mean: 'yes' })), { message: /true or false/ })
})

test('large.cpu: every view loads; the server time of each is logged (measured, not asserted)', async (t) => {
  const s = await serve([LARGE])
  try {
    await openPage(`${s.url}ui/flamegraph`, async (page, errors) => {
      for (const [v, sel] of [['flamegraph', '.frame'], ['top', 'table.top tbody tr'], ['peek?f=main.next', 'pre.peek'], ['graph', 'iframe.graph']]) {
        const t0 = Date.now()
        await page.goto(`${s.url}ui/${v}`)
        await page.waitForSelector(sel, { timeout: 120_000 })
        const server = await page.evaluate(() =>
          (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
            .filter((e) => e.name.includes('/api/') && !e.name.includes('/api/info'))
            .map((e) => `${new URL(e.name).pathname} ${e.serverTiming.map((x) => x.duration.toFixed(0)).join('+')} ms, ${Math.round(e.transferSize / 1024)} KiB`),
        )
        t.log(`${v}: shown after ${Date.now() - t0} ms; server: ${server.join('; ')}`)
        t.true(server.length > 0)
        await shot(page, `large-${v.replace(/\?.*/, '')}`, false) // the window: peek's text is megabytes
      }
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})

test('large.cpu: peek sends the first 2000 lines and the line count, the rest on request; flame is the pruned core report', async (t) => {
  const session = await ViewSession.open([LARGE])
  const srv = await startServer({ host: '127.0.0.1', port: 0, session, settings: path.join(tmpdir(), 'settings.json') })
  try {
    const cliPeek = cli(['peek', 'main.next', LARGE, '-focus=main.next', '-lines'])
    t.is(cliPeek.status, 0)
    const cliLines = cliPeek.stdout.split('\n').length - 1
    t.true(cliLines > PEEK_LINES, `${cliLines} lines`)
    const first = JSON.parse((await get(`${srv.url}api/peek?f=main.next`)).body) as { text: string; lines: number }
    t.is(first.lines, cliLines)
    t.is(first.text, cliPeek.stdout.split('\n').slice(0, PEEK_LINES).join('\n') + '\n')
    const all = JSON.parse((await get(`${srv.url}api/peek?f=main.next&all=1`)).body) as { text: string; lines: number }
    t.is(all.text, cliPeek.stdout)

    // the flame report: its root is the CLI's total, and frames no zoom level draws are gone
    const flame = await session.flame([])
    const d = decodeFlame(flame)
    const top = JSON.parse(cli(['top', LARGE, '--json']).stdout) as { total: number; top: Array<{ name: string; cum: number }> }
    t.is(d.values[d.types.findIndex((x) => x.type === 'cpu')][0], top.total)
    t.is(d.total, top.total)
    t.true(d.name.length < d.folded / 2, `${d.name.length} of ${d.folded} nodes kept`)
    for (let n = 1; n < d.name.length; n++) t.true(d.parent[n] < n)
    t.true(d.legend.some((l) => l.startsWith('Duration: ')))
  } finally {
    await srv.close()
  }
})

test('one flame renderer: `goroscope flame -o` draws the same frames as the web UI flame view', async (t) => {
  const dir = tmpdir('goroscope-webui-flame-')
  const file = path.join(dir, 'allocs.html')
  t.is(cli(['flame', ALLOCS, '-o', file]).status, 0)
  const frames = (page: Page) =>
    page.$$eval('.frame', (fs) =>
      fs
        .map((f) => {
          const e = f as HTMLElement
          return `${e.dataset.node} ${e.dataset.value} ${e.style.top} ${Math.round(e.getBoundingClientRect().width)} ${e.textContent}`
        })
        .sort(),
    )
  let page1: string[] = []
  await openPage(file, async (page, errors) => {
    await page.waitForSelector('.frame')
    page1 = await frames(page)
    t.deepEqual(errors, [])
  })
  const s = await serve([ALLOCS])
  try {
    await openPage(`${s.url}ui/flamegraph`, async (page, errors) => {
      await page.waitForSelector('.frame')
      const web = await frames(page)
      t.true(web.length > 5)
      t.deepEqual(web, page1)
      t.deepEqual(errors, [])
    })
  } finally {
    stop(s)
  }
})
