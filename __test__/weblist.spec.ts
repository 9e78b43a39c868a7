// `goroscope weblist`, `pprof -weblist`, the shell's `weblist` and the web UI's Source view: one
// renderer (src/pages/webui/source.ts) of the core's -weblist blocks, checked in real headless
// Chromium against what `goroscope list` prints for the same flags; names and source text from
// the input stay inert.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import test, { type ExecutionContext } from 'ava'
import type { Page } from 'playwright-core'

import { Profile } from '../src/profile'
import { openPage } from './browser'
import { goBuild } from './goprog'
import { cli, ROOT, tmpdir } from './helpers'
import { serve, stop } from './webui-serve'

const ALLOCS = path.join(ROOT, 'fixtures', 'profiles', 'go126-allocs.pb.gz')
const GOROUTINE = path.join(ROOT, 'fixtures', 'profiles', 'go126-goroutine.pb.gz')

/** One function block of `list` output or of the page: name, file, totals, then each line. */
interface Block {
  name: string
  file: string
  flat: string
  cum: string
  error: string
  lines: string[][]
}

/** The blocks of `goroscope list` text (`ROUTINE ===… NAME in FILE`, totals, `flat cum line:text`). */
function listBlocks(text: string): Block[] {
  const out: Block[] = []
  for (const l of text.split('\n')) {
    const h = /^ROUTINE ======================== (.*) in (.*)$/.exec(l)
    if (h) {
      out.push({ name: h[1], file: h[2], flat: '', cum: '', error: '', lines: [] })
      continue
    }
    const b = out[out.length - 1]
    if (!b) continue
    const tot = /^\s*(\S+)\s+(\S+) \(flat, cum\) /.exec(l)
    const line = /^\s*(\S+)\s+(\S+)\s+(\d+):(.*)$/.exec(l)
    const err = /^ Error: (.*)$/.exec(l)
    if (tot && !b.flat) [b.flat, b.cum] = [tot[1], tot[2]]
    else if (err) b.error = err[1]
    else if (line) b.lines.push([line[1], line[2], line[3], line[4]])
  }
  return out
}

/** The blocks the page shows, read from the DOM (lines as the CLI's columns: flat, cum, line, text). */
function pageBlocks(page: Page): Promise<Block[]> {
  return page.$$eval('section.src-fn', (ss) =>
    ss.map((s) => ({
      name: s.querySelector('.src-name')?.textContent ?? '',
      file: s.querySelector('.src-file')?.textContent ?? '',
      flat: s.querySelector('.src-total .flat')?.textContent ?? '',
      cum: s.querySelector('.src-total .cum')?.textContent ?? '',
      error: s.querySelector('.src-error')?.textContent ?? '',
      lines: Array.from(s.querySelectorAll('tr.src-line')).map((tr) => Array.from(tr.children).map((td) => td.textContent ?? '')),
    })),
  )
}

test('CLI: goroscope weblist writes a page whose blocks are the numbers goroscope list prints; pprof -weblist is the same page', async (t) => {
  const dir = tmpdir('goroscope-weblist-')
  for (const flags of [['-sample_index=alloc_space'], ['-focus=setupConvoy', '-sample_index=alloc_objects'], []]) {
    const list = cli(['list', 'main\\.', ALLOCS, ...flags])
    t.is(list.status, 0, list.stderr)
    const want = listBlocks(list.stdout)
    t.true(want.length > 1 && want.some((b) => b.lines.some((l) => l[0] !== '.')), list.stdout)
    const out = path.join(dir, 'w.html')
    const r = cli(['weblist', 'main\\.', ALLOCS, ...flags, '-o', out])
    t.is(r.status, 0, r.stderr)
    t.is(r.stdout, '')
    const viaPprof = path.join(dir, 'p.html')
    t.is(cli(['pprof', '-weblist=main\\.', ...flags, '-output', viaPprof, ALLOCS]).status, 0)
    await openPage(out, async (page, errors) => {
      await page.waitForSelector('section.src-fn')
      t.deepEqual(await pageBlocks(page), want, flags.join(' '))
      // the legend is pprof's profile labels
      t.regex((await page.textContent('#legend'))!, /^File: goprog\nBuild ID: .*\nType: alloc_/m)
      t.deepEqual(errors, [])
    })
    t.is(fs.readFileSync(viaPprof, 'utf8'), fs.readFileSync(out, 'utf8'))
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

test('CLI: weblist without -o opens a temporary page with $BROWSER; a regex that matches nothing says so', (t) => {
  const dir = tmpdir('goroscope-weblist-browser-')
  const browser = path.join(dir, 'browser.sh')
  fs.writeFileSync(browser, '#!/bin/sh\necho "$1" > "$OPENED"\n', { mode: 0o755 })
  const opened = path.join(dir, 'opened')
  const r = cli(['weblist', 'main\\.main', GOROUTINE], { env: { ...process.env, BROWSER: browser, OPENED: opened } })
  t.is(r.status, 0, r.stderr)
  const file = fs.readFileSync(opened, 'utf8').trim()
  t.regex(file, /weblist\.html$/)
  t.regex(r.stderr, new RegExp(`opened ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in the browser`))
  t.true(fs.readFileSync(file, 'utf8').includes('"name":"main.main"'))
  // no browser to ask: the file's name on standard output
  const n = cli(['weblist', 'main\\.main', GOROUTINE], { env: { ...process.env, BROWSER: '', PATH: '' } })
  t.is(n.status, 0, n.stderr)
  t.regex(n.stdout, /weblist\.html\n$/)
  t.true(fs.existsSync(n.stdout.trim()))
  const none = cli(['weblist', 'no_such_function_xyz', GOROUTINE, '-o', path.join(dir, 'none.html')])
  t.is(none.status, cli(['list', 'no_such_function_xyz', GOROUTINE]).status)
  t.not(none.status, 0)
  t.regex(none.stderr, /no matches found for regexp: no_such_function_xyz/)
  t.false(fs.existsSync(path.join(dir, 'none.html')))
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
  fs.rmSync(path.dirname(n.stdout.trim()), { recursive: true, force: true })
})

test('shell: weblist REGEX writes the page and opens it with $BROWSER', (t) => {
  const dir = tmpdir('goroscope-weblist-shell-')
  const browser = path.join(dir, 'browser.sh')
  // the shell removes the file it opened when it ends (as pprof does): keep a copy
  fs.writeFileSync(browser, '#!/bin/sh\ncp "$1" "$COPY"\n', { mode: 0o755 })
  const copy = path.join(dir, 'copy.html')
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', ALLOCS], {
    cwd: dir,
    input: 'sample_index=alloc_space\nweblist main\\.setup\nquit\n',
    env: { ...process.env, BROWSER: browser, COPY: copy, TERM: 'dumb' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, '(pprof) (pprof) (pprof) ')
  const html = fs.readFileSync(copy, 'utf8')
  const data = JSON.parse(/<script type="application\/json" id="weblist-data">(.*)<\/script>/.exec(html)![1]) as { blocks: Array<{ name: string; cumLabel: string }> }
  const want = listBlocks(cli(['list', 'main\\.setup', ALLOCS, '-sample_index=alloc_space']).stdout)
  t.deepEqual(data.blocks.map((b) => [b.name, b.cumLabel]), want.map((b) => [b.name, b.cum]))
  t.true(want.length > 0)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('web UI: the Source view shows the numbers goroscope list prints for the same refine, also after a right-click focus', async (t) => {
  const s = await serve([ALLOCS])
  try {
    await openPage(`${s.url}ui/source?f=${encodeURIComponent('main\\.setup')}&si=alloc_space&h=${encodeURIComponent('runtime')}`, async (page, errors) => {
      await page.waitForSelector('section.src-fn')
      const want = listBlocks(cli(['list', 'main\\.setup', ALLOCS, '-focus=main\\.setup', '-sample_index=alloc_space', '-hide=runtime']).stdout)
      t.true(want.length > 0)
      t.deepEqual(await pageBlocks(page), want)
      t.regex((await page.textContent('#legend'))!, /Type: alloc_space/)
      // from the flame graph: right-click a frame, Focus, then Source shows that function
      await page.goto(`${s.url}ui/flamegraph`)
      await page.waitForSelector('.frame')
      await page.locator('.frame', { hasText: /^main\.setupConvoy$/ }).first().click({ button: 'right' })
      await page.click('#menu li[data-action="Focus"]')
      await page.waitForFunction(() => new URL(location.href).searchParams.has('f'))
      await page.click('button[data-view="source"]')
      await page.waitForFunction(() => location.pathname === '/ui/source' && document.querySelector('section.src-fn') !== null)
      const f = new URL(page.url()).searchParams.get('f')!
      t.is(f, '^main\\.setupConvoy$')
      t.deepEqual(await pageBlocks(page), listBlocks(cli(['list', f, ALLOCS, `-focus=${f}`]).stdout))
      // a bad regexp is the core's error, shown, not a crash
      await page.goto(`${s.url}ui/source?f=${encodeURIComponent('(')}`)
      await page.waitForSelector('#errors .error')
      t.regex((await page.textContent('#errors .error'))!, /\(/)
      t.deepEqual(errors.filter((e) => !/status of 400/.test(e)), [])
    })
  } finally {
    stop(s)
  }
})

test('<script> in a function name and in a source line never runs, in weblist and in the Source view', async (t) => {
  // a dump whose frames name a source file we write, made a profile.proto by our encoder
  const dir = tmpdir('goroscope-weblist-evil-')
  const src = path.join(dir, 'evil.go')
  const lines = Array.from({ length: 20 }, (_, i) => `// line ${i + 1}`)
  lines[9] = 'x := "<script>window.__pwned=4</script>"'
  lines[10] = '<img src=x onerror="window.__pwned=5"> &amp; ]]>'
  fs.writeFileSync(src, lines.join('\n') + '\n')
  const dump = path.join(dir, 'evil.txt')
  const g = (id: number) => `goroutine ${id} [chan receive, 42 minutes]:\nmain.(*T).<script>window.__pwned=1</script>(...)\n\t${src}:10 +0x1\nmain.main()\n\t${src}:11 +0x1\n`
  fs.writeFileSync(dump, [g(1), g(2)].join('\n'))
  const file = path.join(dir, 'evil.pb.gz')
  fs.writeFileSync(file, (await (await Profile.fromStacks(dump)).report(['-proto'])).proto!)
  const out = path.join(dir, 'evil.html')
  t.is(cli(['weblist', 'script', file, '-o', out]).status, 0)
  const check = async (page: Page, errors: string[]) => {
    await page.waitForSelector('section.src-fn')
    const blocks = await pageBlocks(page)
    t.true(blocks.some((b) => b.name === 'main.(*T).<script>window.__pwned=1</script>'))
    const code = blocks.flatMap((b) => b.lines.map((l) => l[3]))
    t.true(code.includes(lines[9]) && code.includes(lines[10]))
    t.is(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
    t.is(await page.$$eval('img, section script', (e) => e.length), 0)
    t.deepEqual(errors, [])
  }
  await openPage(out, check)
  const s = await serve([file])
  try {
    await openPage(`${s.url}ui/source?f=script`, check)
  } finally {
    stop(s)
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The instruction lines of `goroscope disasm` text: address → [flat, cum]. */
function disasmValues(text: string): Map<string, [string, string]> {
  const listed = new Map<string, [string, string]>()
  for (const l of text.split('\n')) {
    const m = /^\s*(\S+)\s+(\S+)\s+([0-9a-f]+): /.exec(l)
    if (m) listed.set(m[3], [m[1], m[2]])
  }
  return listed
}

/** Clicks the first sampled line of the page: its instructions must be `listed`'s, with their values; a click again folds them. */
async function expandHotLine(t: ExecutionContext, page: Page, listed: Map<string, [string, string]>): Promise<void> {
  await page.waitForSelector('section.src-fn')
  const hot = page.locator('tr.src-line.expandable', { has: page.locator('td.flat:not(:text-is("."))') }).first()
  t.is(await page.locator('tr.src-asm').count(), 0, 'folded at first')
  await hot.click()
  await page.waitForSelector('tr.src-asm tr.src-inst')
  const insts = await page.$$eval('tr.src-asm tr.src-inst', (trs) =>
    trs.map((tr) => ({ address: (tr as HTMLElement).dataset.address ?? '', flat: tr.querySelector('.flat')!.textContent ?? '', cum: tr.querySelector('.cum')!.textContent ?? '' })),
  )
  t.true(insts.length > 0)
  for (const i of insts) t.deepEqual([i.address, ...(listed.get(i.address) ?? [])], [i.address, i.flat, i.cum], `instruction ${i.address} as disasm lists it`)
  t.true(insts.some((i) => i.flat !== '.'), 'a hot line has a sampled instruction')
  await hot.click()
  await page.waitForFunction(() => document.querySelector('tr.src-asm') === null)
}

test('weblist and the Source view with the binary: clicking a hot line shows its instructions with the addresses and values goroscope disasm lists; again folds them', async (t) => {
  const dir = tmpdir('goroscope-weblist-asm-')
  try {
    const binary = goBuild({ pkg: 'symbolize', go: 'go126' })
    const profile = path.join(dir, 'cpu.pprof')
    const run = spawnSync(binary, ['-o', profile, '-cpu', '1s'], { stdio: 'ignore' })
    t.is(run.status, 0, 'fixtures/symbolize profiles itself')
    const re = 'main\\.hashLoop'
    const disasm = cli(['disasm', re, profile, '--binary', binary])
    t.is(disasm.status, 0, disasm.stderr)
    const listed = disasmValues(disasm.stdout)
    t.true(listed.size > 0, disasm.stdout)
    const out = path.join(dir, 'weblist.html')
    const r = cli(['weblist', re, profile, '--binary', binary, '-o', out])
    t.is(r.status, 0, r.stderr)
    await openPage(out, async (page, errors) => {
      await expandHotLine(t, page, listed)
      t.deepEqual(errors, [])
    })
    const s = await serve(['--binary', binary, profile])
    try {
      await openPage(`${s.url}ui/source?f=${encodeURIComponent(re)}`, async (page, errors) => {
        // The Source view focuses on f: disasm with the same focus.
        await expandHotLine(t, page, disasmValues(cli(['disasm', re, profile, '--binary', binary, `-focus=${re}`]).stdout))
        t.deepEqual(errors, [])
      })
    } finally {
      stop(s)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
