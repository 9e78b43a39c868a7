// Rendering in a real headless Chromium (Debian's `chromium`, driven by playwright-core): the
// SVG call graph (pan/zoom), the flame graph page (zoom, search, sample types), goroutine-dump
// graphs with hung nodes marked, and hostile function names that must stay text. Screenshots
// go to $GOROSCOPE_SCREENSHOTS (default: a fresh temp dir, printed with t.log).
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

import { Profile } from '../src/index'
import { renderFlameHtml, scriptSafeJson } from '../src/render/flame'
import { highlightDotNodes, markHung } from '../src/render/dot'
import { massageSvg } from '../src/render/svg'
import { cli, CORPUS, FIXTURE_DUMPS, ROOT, tmpdir } from './helpers'

const CHROMIUM = process.env.GOROSCOPE_CHROMIUM ?? '/usr/bin/chromium'
const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const ALLOCS = path.join(PROFILES, 'go126-allocs.pb.gz')
const HEAP = path.join(PROFILES, 'go126-heap.pb.gz')
const LARGE_CPU = path.join(CORPUS, 'google-pprof', 'internal', 'proftest', 'testdata', 'large.cpu')
const MINUTES = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
const EVIL_DUMP = path.join(ROOT, '__test__', 'fixtures', 'evil-names.txt')

const OUT = tmpdir('goroscope-render-')
const SHOTS = process.env.GOROSCOPE_SCREENSHOTS ?? tmpdir('goroscope-shots-')
fs.mkdirSync(SHOTS, { recursive: true })

let ctx: BrowserContext

test.before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (apt-get install -y chromium)`)
  }
  ctx = await chromium.launchPersistentContext(tmpdir('goroscope-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})

test.after.always(async () => {
  await ctx?.close()
})

interface Opened {
  page: Page
  errors: string[]
  dialogs: string[]
  requests: string[]
}

/** Open a local file, recording console errors, page errors, dialogs and any non-file request. */
async function open(file: string): Promise<Opened> {
  const page = await ctx.newPage()
  const o: Opened = { page, errors: [], dialogs: [], requests: [] }
  page.on('console', (m) => {
    if (m.type() === 'error') o.errors.push(m.text())
  })
  page.on('pageerror', (e) => o.errors.push(e.message))
  page.on('dialog', (d) => {
    o.dialogs.push(d.message())
    void d.dismiss()
  })
  await page.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith('file:')) return route.continue()
    o.requests.push(url)
    return route.abort()
  })
  await page.goto(pathToFileURL(file).href)
  await page.waitForLoadState('load')
  return o
}

function run(args: string[]): string {
  const r = cli(args)
  if (r.status !== 0) throw new Error(`goroscope ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

/** `N<i> [label="…" … tooltip="…"` of a pprof DOT: the label lines and the tooltip per node. */
function dotNodes(dot: string): { id: string; lines: string[]; tooltip: string }[] {
  const out: { id: string; lines: string[]; tooltip: string }[] = []
  for (const m of dot.matchAll(/^(N\d+) \[label="((?:[^"\\]|\\.)*)" id="(node\d+)".*? tooltip="((?:[^"\\]|\\.)*)"/gm)) {
    const un = (s: string) => s.replace(/\\(.)/g, (_x, c: string) => (c === 'n' || c === 'l' ? '\n' : c))
    out.push({ id: m[3], lines: un(m[2]).split('\n').filter((l) => l !== ''), tooltip: un(m[4]) })
  }
  return out
}

async function viewportTransform(page: Page): Promise<number[]> {
  const t = await page.getAttribute('#viewport', 'transform')
  const m = /^matrix\(([^)]*)\)$/.exec(t ?? '')
  if (!m) throw new Error(`unexpected viewport transform ${t}`)
  return m[1].split(/[ ,]+/).map(Number)
}

async function shot(page: Page, name: string, t: { log: (...a: unknown[]) => void }) {
  const file = path.join(SHOTS, name)
  await page.screenshot({ path: file })
  t.log(`screenshot: ${file}`)
}

// ---------------------------------------------------------------------------------------------
// Pure post-processing

test('massageSvg: fills the window, wraps graph0 in the viewport, inlines the pan/zoom script', (t) => {
  const raw =
    '<?xml version="1.0"?>\n<svg width="62pt" height="116pt"\n viewBox="0.00 0.00 62.00 116.00" xmlns="http://www.w3.org/2000/svg">\n' +
    '<g id="graph0" class="graph"><text>a &; b &nbsp; &amp; &lt; &#45; &#x41;</text></g>\n</svg>\n'
  const svg = massageSvg(raw)
  t.regex(svg, /<svg width="100%" height="100%" xmlns=/)
  t.notRegex(svg, /viewBox/)
  t.regex(svg, /<script type="text\/ecmascript"><!\[CDATA\[[\s\S]*\]\]><\/script>\n<g id="viewport" transform="matrix\(0.5 0 0 0.5 0 0\)">\n<g id="graph0"/)
  t.regex(svg, /<\/g>\n<\/g>\n<\/svg>\n$/)
  t.true(svg.includes('a &amp;; b &amp;nbsp; &amp; &lt; &#45; &#x41;'))
  t.throws(() => massageSvg(raw.replace('<text>', '<text onclick="x()">')), { message: /active SVG content/ })
  t.throws(() => massageSvg(raw.replace('<text>', '<script>')), { message: /active SVG content/ })
  t.throws(() => massageSvg('<svg></svg>'), { message: /unexpected SVG/ })
})

test('highlightDotNodes / markHung: red border, tooltip note and legend line for parked functions', (t) => {
  const dot = [
    'digraph "d" {',
    'node [style=filled fillcolor="#f8f8f8"]',
    'subgraph cluster_L { "File: d" [shape=box fontsize=16 label="File: d\\lType: goroutine\\l" tooltip="d"] }',
    'N1 [label="main\\nwait\\n2 (50%)" id="node1" fontsize=20 shape=box tooltip="main.wait (2)" color="#b23c00" fillcolor="#edddd5"]',
    'N2 [label="main\\n(*S)\\nget\\n1 (25%)" id="node2" fontsize=14 shape=box tooltip="main.(*S).get (1)" color="#b26b00" fillcolor="#ede5d5"]',
    'N3 [label="main\\nmain\\n0 of 4 (100%)" id="node3" fontsize=8 shape=box tooltip="main.main (4)" color="#b20000" fillcolor="#edd5d5"]',
    'N1_0 [label = "state:chan receive" id="N1_0" fontsize=8 shape=box3d tooltip="2"]',
    '}',
    '',
  ].join('\n')
  const out = markHung(dot, [
    { function: 'main.wait', goroutines: 2, maxWaitMinutes: 14 },
    { function: 'main.(*S).get', goroutines: 1, maxWaitMinutes: 30 },
  ], 10)
  const lines = out.split('\n')
  t.regex(lines[3], /tooltip="main.wait \(2\) — 2 goroutines parked here 10\+ minutes \(longest 14 minutes\)" color="#d00000" fillcolor="#ffd6d6" penwidth=4 style="filled,bold"\]$/)
  t.regex(lines[4], /tooltip="main.\(\*S\).get \(1\) — 1 goroutine parked here 10\+ minutes \(longest 30 minutes\)"/)
  t.is(lines[5], dot.split('\n')[5])
  t.is(lines[6], dot.split('\n')[6])
  t.regex(lines[2], /label="File: d\\lType: goroutine\\lRed border: parked goroutines waiting 10\+ minutes \(3 goroutines\)\\l"/)
  t.is(highlightDotNodes(dot, new Map()), dot)
})

test('scriptSafeJson: nothing in the data can close its script element', (t) => {
  const s = scriptSafeJson(JSON.stringify({ a: '</script><script>alert(1)</script>&\u2028' }))
  t.false(/[<>&\u2028]/.test(s))
  t.deepEqual(JSON.parse(s), { a: '</script><script>alert(1)</script>&\u2028' })
  const html = renderFlameHtml(new Uint8Array(16), ['</script><b>'])
  t.is(html.match(/<\/script>/g)!.length, 3)
})

// ---------------------------------------------------------------------------------------------
// SVG call graph in the browser

test.serial('svg: a profile renders with the DOT labels, pans and zooms, no errors', async (t) => {
  const dot = run(['dot', ALLOCS])
  const file = path.join(OUT, 'allocs.svg')
  run(['svg', ALLOCS, '-o', file])
  const svg = fs.readFileSync(file, 'utf8')
  t.true(svg.includes('<g id="viewport"'))
  t.false(/https?:\/\/(?!www\.w3\.org)/.test(svg.replace(/<!DOCTYPE[^>]*>/, '').replace(/See https:\/\/git\.io\/JfYMW/g, '')))

  const o = await open(file)
  const { page } = o
  const nodes = dotNodes(dot)
  t.true(nodes.length >= 5, `${nodes.length} nodes in the DOT`)
  const drawn = await page.evaluate(() =>
    Array.from(document.querySelectorAll('g.node')).map((g) => ({
      id: g.id,
      text: Array.from(g.querySelectorAll('text')).map((x) => x.textContent),
      tooltip: g.querySelector('a')?.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? '',
    })),
  )
  for (const n of nodes) {
    const d = drawn.find((x) => x.tooltip === n.tooltip)
    t.truthy(d, `node ${n.tooltip} drawn`)
    t.deepEqual(d?.text, n.lines, `labels of ${n.tooltip}`)
  }
  t.is(await page.locator('#viewport > #graph0').count(), 1)
  await shot(page, 'svg-allocs.png', t)

  const before = await viewportTransform(page)
  const box = (await page.locator('#graph0').boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -400)
  await page.waitForFunction((s) => document.getElementById('viewport')!.getAttribute('transform') !== s, `matrix(${before.join(' ')})`)
  const zoomed = await viewportTransform(page)
  t.true(zoomed[0] > before[0] * 1.5, `scale ${before[0]} → ${zoomed[0]}`)
  t.is(zoomed[0], zoomed[3])
  await shot(page, 'svg-allocs-zoomed.png', t)

  await page.mouse.move(400, 400)
  await page.mouse.down()
  await page.mouse.move(500, 450, { steps: 5 })
  await page.mouse.up()
  const panned = await viewportTransform(page)
  t.is(panned[0], zoomed[0])
  t.true(Math.abs(panned[4] - zoomed[4] - 100) < 1, `x ${zoomed[4]} → ${panned[4]}`)
  t.true(Math.abs(panned[5] - zoomed[5] - 50) < 1, `y ${zoomed[5]} → ${panned[5]}`)

  await page.mouse.dblclick(5, 5)
  const fitted = await viewportTransform(page)
  t.deepEqual(fitted, before)

  t.deepEqual(o.errors, [])
  t.deepEqual(o.dialogs, [])
  t.deepEqual(o.requests, [])
  await page.close()
})

test.serial('svg --renderer dot uses the system Graphviz, and says so clearly when it is absent', async (t) => {
  const file = path.join(OUT, 'heap-dot.svg')
  // scripts/setup.sh installs Debian's graphviz for this test.
  const hasDot = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'dot')))
  t.true(hasDot, 'Graphviz `dot` must be on PATH: run scripts/setup.sh')
  run(['svg', HEAP, '--renderer', 'dot', '-o', file])
  const svg = fs.readFileSync(file, 'utf8')
  t.regex(svg, /<!-- Generated by graphviz version 2\./)
  t.true(svg.includes('<g id="viewport"'))
  const r = cli(['svg', HEAP, '--renderer=dot', '-o', file + '.none'], { env: { PATH: '/nonexistent' } })
  t.is(r.status, 2)
  t.regex(r.stderr, /--renderer dot needs Graphviz's `dot` on PATH/)
  t.false(fs.existsSync(file + '.none'))
  const bad = cli(['svg', HEAP, '--renderer', 'cairo'])
  t.is(bad.status, 2)
  t.regex(bad.stderr, /--renderer is wasm/)
})

test.serial('web: writes the SVG and prints its path when no browser can be opened', (t) => {
  const r = cli(['web', ALLOCS, '-nodecount=5'], { env: { PATH: '/nonexistent', BROWSER: '' } })
  t.is(r.status, 0, r.stderr)
  const file = r.stdout.trim()
  t.regex(file, /go126-allocs\.pb\.gz\.svg$/)
  t.true(fs.readFileSync(file, 'utf8').includes('<g id="viewport"'))
  const out = path.join(OUT, 'web.svg')
  const r2 = cli(['web', ALLOCS, '--no-browser', '-o', out])
  t.is(r2.stdout.trim(), out)
  t.true(fs.existsSync(out))
})

// ---------------------------------------------------------------------------------------------
// Goroutine dumps as graphs

test.serial('dot/svg of a goroutine dump: goroutine counts, hung groups highlighted', async (t) => {
  const dot = run(['dot', MINUTES])
  t.regex(dot, /^digraph "go126-debug2-minutes.txt" \{/)
  t.regex(dot, /Type: goroutine\\l/)
  t.regex(dot, /Red border: parked goroutines waiting 1\+ minutes \(\d+ goroutines?\)/)
  const hungNodes = dotNodes(dot).filter((n) => /parked here 1\+ minutes \(longest \d+ minutes?\)$/.test(n.tooltip))
  t.true(hungNodes.length > 0)
  // every hung group's first non-runtime frame is one of the marked nodes
  const stacks = JSON.parse(run(['stacks', MINUTES, '--json']))
  const marked = new Set(hungNodes.map((n) => n.tooltip.replace(/ \(\d+\) — .*$/, '')))
  const p = await Profile.fromStacks(MINUTES)
  const want = new Set(p.hungFunctions.map((h) => h.function))
  t.deepEqual([...marked].sort(), [...want].filter((f) => dotNodes(dot).some((n) => n.tooltip.startsWith(f + ' ('))).sort())
  t.true(stacks.hung.length > 0)
  for (const g of stacks.hung) {
    const f = g.frames.find((x: { function: string }) => !/^(runtime\.|sync\.|internal\/|sync\/atomic\.)/.test(x.function))
    if (f && dotNodes(dot).some((n) => n.tooltip.startsWith(f.function + ' ('))) t.true(marked.has(f.function), f.function)
  }
  // a debug=1 dump is read as a dump (names kept), not as pprof's legacy address-only profile
  const d1 = run(['dot', path.join(FIXTURE_DUMPS, 'go126-debug1.txt')])
  t.regex(d1, /tooltip="main.leakWorker \(\d+\)"/)
  t.false(d1.includes('<unknown>'))
  t.false(d1.includes('wait:'))
  // --min-wait above every wait: nothing is marked
  const none = run(['dot', MINUTES, '--min-wait', '100000'])
  t.regex(none, /No goroutine has waited 100000\+ minutes/)
  t.false(none.includes('penwidth=4'))

  const file = path.join(OUT, 'minutes.svg')
  run(['svg', MINUTES, '-o', file])
  const o = await open(file)
  const red = await o.page.evaluate(() =>
    Array.from(document.querySelectorAll('g.node')).filter((g) => g.querySelector('polygon[stroke="#d00000"]')).map((g) => g.querySelector('a')?.getAttributeNS('http://www.w3.org/1999/xlink', 'title')),
  )
  t.is(red.length, hungNodes.length)
  t.true(red.every((x) => /parked here/.test(x ?? '')))
  t.true(await o.page.evaluate(() => document.querySelector('#graph0')!.textContent!.includes('Red border')))
  await shot(o.page, 'svg-dump-minutes.png', t)
  t.deepEqual(o.errors, [])
  await o.page.close()
})

// ---------------------------------------------------------------------------------------------
// Flame graphs

test.serial('flame: renders, click zooms, search highlights, sample types switch, no errors', async (t) => {
  const file = path.join(OUT, 'allocs.html')
  run(['flame', ALLOCS, '-o', file])
  const html = fs.readFileSync(file, 'utf8')
  t.notRegex(html, /<(link|img|iframe)\b|src=|https?:/)
  const o = await open(file)
  const { page } = o
  const types = await page.$$eval('#type option', (os) => os.map((x) => x.textContent))
  t.deepEqual(types, ['alloc_objects (count)', 'alloc_space (bytes)', 'inuse_objects (count)', 'inuse_space (bytes)'])
  t.is(await page.inputValue('#type'), '1') // the profile's default_sample_type
  const chartWidth = await page.$eval('#chart', (c) => c.clientWidth)
  const root = await page.$eval('.frame[data-node="0"]', (e) => e.getBoundingClientRect().width)
  t.true(Math.abs(root - chartWidth) <= 1)
  t.true((await page.locator('.frame').count()) > 5)
  await shot(page, 'flame-allocs.png', t)

  // the narrowest frame wider than 20px below the root: zooming makes it the full width
  const pick = await page.$$eval('.frame', (fs) => {
    const c = fs
      .map((f) => ({ n: f.getAttribute('data-node')!, w: f.getBoundingClientRect().width, top: parseFloat((f as HTMLElement).style.top) }))
      .filter((f) => f.n !== '0' && f.w > 20 && f.top > 0)
      .sort((a, b) => a.w - b.w)
    return c[0]
  })
  t.truthy(pick)
  await page.hover(`.frame[data-node="${pick.n}"]`)
  const tip = await page.textContent('#tip')
  t.regex(tip ?? '', /\n\S+ \(\d+(\.\d+)?%\)\nself: /)
  t.regex(tip ?? '', /%/)
  await page.click(`.frame[data-node="${pick.n}"]`)
  const after = await page.$eval(`.frame[data-node="${pick.n}"]`, (e) => e.getBoundingClientRect().width)
  t.true(after > pick.w * 1.5 && Math.abs(after - chartWidth) <= 1, `${pick.w} → ${after}`)
  t.regex((await page.textContent('#path')) ?? '', /→/)
  await shot(page, 'flame-allocs-zoomed.png', t)
  await page.click('#reset')
  t.true(Math.abs((await page.$eval(`.frame[data-node="${pick.n}"]`, (e) => e.getBoundingClientRect().width)) - pick.w) < 1)

  await page.fill('#search', 'runtime\\.')
  const matches = await page.locator('.frame.match').count()
  t.true(matches > 0)
  const names = await page.$$eval('.frame.match', (fs) => fs.map((f) => f.textContent ?? ''))
  t.true(names.filter((n) => n !== '').every((n) => n.includes('runtime.')))
  t.regex((await page.textContent('#matched')) ?? '', /^Matched: .+ \(\d+(\.\d+)?%\)$/)
  await shot(page, 'flame-allocs-search.png', t)
  await page.fill('#search', '')
  t.is(await page.locator('.frame.match').count(), 0)

  const widths = () => page.$$eval('.frame', (fs) => fs.map((f) => `${f.getAttribute('data-node')}:${f.getBoundingClientRect().width.toFixed(1)}`).join(' '))
  const w1 = await widths()
  await page.selectOption('#type', '3')
  t.not(await widths(), w1)
  t.deepEqual(o.errors, [])
  t.deepEqual(o.requests, [])
  await page.close()
})

test.serial('flame: large.cpu (20k samples) and a goroutine dump', async (t) => {
  if (fs.existsSync(LARGE_CPU)) {
    const file = path.join(OUT, 'large.html')
    const t0 = Date.now()
    run(['flame', LARGE_CPU, '-o', file])
    t.log(`flame large.cpu: ${Date.now() - t0} ms, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB`)
    const o = await open(file)
    // 23k distinct closures under main.next: most frames are narrower than half a pixel
    t.true((await o.page.locator('.frame').count()) >= 5)
    t.regex((await o.page.textContent('.frame[data-node="0"]')) ?? '', /root/)
    await shot(o.page, 'flame-large-cpu.png', t)
    t.deepEqual(o.errors, [])
    await o.page.close()
  }
  const file = path.join(OUT, 'minutes.html')
  run(['flame', MINUTES, '-o', file])
  const o = await open(file)
  t.is(await o.page.locator('#type-label').isHidden(), true)
  t.true((await o.page.locator('.frame.hung').count()) > 0)
  t.is(await o.page.textContent('#title'), 'go126-debug2-minutes.txt')
  await shot(o.page, 'flame-dump-minutes.png', t)
  t.deepEqual(o.errors, [])
  await o.page.close()
})

// ---------------------------------------------------------------------------------------------
// Hostile names

test.serial('hostile function names stay text in the SVG and the flame graph', async (t) => {
  // a real profile.proto with the names, via the dump → profile conversion and -proto
  const proto = path.join(OUT, 'evil.pb.gz')
  fs.writeFileSync(proto, (await (await Profile.fromStacks(EVIL_DUMP)).report(['-proto'])).proto!)
  const p = await Profile.load(proto)
  t.is(p.info.sampleTypes[0].type, 'goroutine')
  const top = run(['top', proto])
  t.true(top.includes('main.(*T).<script>window.__pwned=1;alert(1)</script>"quote\'&amp;x'))

  for (const input of [proto, EVIL_DUMP]) {
    const base = path.basename(input)
    const svgFile = path.join(OUT, `${base}.svg`)
    run(['svg', input, '-o', svgFile])
    const htmlFile = path.join(OUT, `${base}.html`)
    run(['flame', input, '-o', htmlFile])
    for (const file of [svgFile, htmlFile]) {
      const o = await open(file)
      await o.page.waitForTimeout(200)
      t.deepEqual(o.dialogs, [], file)
      t.is(await o.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, file)
      t.deepEqual(o.errors, [], file)
      if (file.endsWith('.svg')) {
        const tips = await o.page.evaluate(() =>
          Array.from(document.querySelectorAll('g.node a')).map((a) => a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? ''),
        )
        // shown exactly as named (Graphviz alone would decode the `&amp;` and `&nbsp;` in them)
        t.true(tips.some((x) => x.includes('<script>window.__pwned=1;alert(1)</script>"quote\'&amp;x (2)')), file)
        t.true(tips.some((x) => x.includes('main.spin"&lt;b&gt;&nbsp;]]></svg><script>window.__pwned=3</script> (1)')), file)
        t.is(await o.page.evaluate(() => document.querySelectorAll('script').length), 1)
      } else {
        const texts = await o.page.$$eval('.frame', (fs) => fs.map((f) => f.textContent ?? ''))
        t.true(texts.some((x) => x.includes('<script>window.__pwned=1;alert(1)</script>"quote\'&amp;x')), file)
        t.true(texts.some((x) => x.includes('main.spin"&lt;b&gt;&nbsp;]]></svg><script>window.__pwned=3</script>')), file)
        t.is(await o.page.evaluate(() => document.querySelectorAll('script').length), 3)
        await o.page.fill('#search', '<script>')
        t.true((await o.page.locator('.frame.match').count()) > 0)
      }
      await shot(o.page, `evil-${path.basename(file)}.png`, t)
      await o.page.close()
    }
  }
})
