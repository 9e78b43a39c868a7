// `-disasm REGEX` against `go tool pprof -disasm` 1.26 as the oracle: fixtures/symbolize built by
// Go 1.26.8 and Go 1.27.3 (normally and as a PIE) profiles itself; goroscope's listing of its
// main.* functions must have the same routines, instruction addresses, instruction count and
// per-instruction flat/cum values as pprof's (the instruction text differs in syntax: Go's
// Plan 9 assembly there, GNU or Intel syntax here). A binary stripped of its symbol table
// (`-ldflags=-s -w`), which pprof cannot list, is listed from Go's pclntab. Bad binaries (another
// program's, another architecture's, not ELF) are refused by name; a regexp matching nothing says
// so. Then the web UI's Disassemble view, in headless Chromium, shows the CLI's listing.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import test from 'ava'

import { openPage } from './browser'
import { goBuild, type GoRuntime, RUNTIMES } from './goprog'
import { cli, ROOT, tmpdir } from './helpers'
import { serve, stop } from './webui-serve'

const dir = tmpdir('goroscope-disasm-')
const SHOTS = tmpdir('goroscope-disasm-shots-')

interface Built {
  go: GoRuntime
  kind: string
  binary: string
  profile: string
}

const KINDS = [
  { kind: 'full', flags: [] as string[] },
  { kind: 'pie', flags: ['-buildmode=pie'] },
  { kind: 'stripped', flags: ['-ldflags=-s -w'] },
]

let built: Built[] = []

test.before(async () => {
  console.log(`disasm screenshots: ${SHOTS}`)
  const all = RUNTIMES.flatMap((go) => KINDS.map((k) => ({ go, kind: k.kind, binary: goBuild({ pkg: 'symbolize', go, flags: k.flags }) })))
  await Promise.all(
    all.map(
      (b) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(b.binary, ['-o', path.join(dir, `${b.go}-${b.kind}.pprof`), '-cpu', '1s'], { stdio: 'ignore' })
          p.on('error', reject)
          p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${b.go}-${b.kind} exited ${code}`))))
        }),
    ),
  )
  built = all.map((b) => ({ ...b, profile: path.join(dir, `${b.go}-${b.kind}.pprof`) }))
})

test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }))

const find = (go: GoRuntime, kind: string) => built.find((b) => b.go === go && b.kind === kind)!

function goPprof(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('go', ['tool', 'pprof', ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, GOTOOLCHAIN: 'local' } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Routine {
  name: string
  totals: string
  /** [address, flat, cum] of each instruction */
  insts: Array<[string, string, string]>
}

/** A disasm listing's routines, headers and per-instruction numbers (not the instruction text). */
function parse(text: string): { total: string; routines: Routine[] } {
  const lines = text.split('\n')
  const total = lines[0]
  const routines: Routine[] = []
  for (const l of lines.slice(1)) {
    if (l.startsWith('ROUTINE ======================== ')) routines.push({ name: l.slice(33), totals: '', insts: [] })
    else if (/\(flat, cum\)/.test(l)) routines[routines.length - 1].totals = l
    else if (/^ {74};/.test(l) || l === '') continue
    else {
      const m = /^\s*(\S+)\s+(\S+)\s+([0-9a-f]+): /.exec(l)
      if (!m) throw new Error(`not an instruction line: ${JSON.stringify(l)}`)
      routines[routines.length - 1].insts.push([m[3], m[1], m[2]])
    }
  }
  return { total, routines }
}

function ok(r: { status: number | null; stdout: string; stderr: string }, what: string): string {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}\n${r.stderr}`)
  return r.stdout
}

for (const go of RUNTIMES) for (const kind of ['full', 'pie']) {
  test(`disasm has pprof's routines, addresses, instruction count and values (${go} ${kind})`, (t) => {
    const b = find(go, kind)
    const want = parse(ok(goPprof(['-disasm', 'main\\.', b.binary, b.profile]), 'go tool pprof'))
    const out = ok(cli(['disasm', 'main\\.', b.profile, '--binary', b.binary]), 'goroscope disasm')
    const got = parse(out)
    t.true(want.routines.length >= 3, `pprof listed ${want.routines.map((r) => r.name)}`)
    t.true(want.routines.some((r) => r.name === 'main.sieve'))
    t.is(got.total, want.total)
    t.deepEqual(got.routines, want.routines)
    // some instructions carry samples (the comparison is not of empty columns)
    t.true(got.routines.some((r) => r.insts.some(([, f]) => f !== '.')))
    // GNU syntax: registers with %
    t.regex(out, /: (mov|lea|cmp)\S* [^\n]*%r/)
    // pprof's own command line gives the same listing, and so does the mapping's file (the
    // profile names the binary that wrote it) when no --binary is given
    t.is(ok(cli(['pprof', '-disasm=main\\.', '--binary', b.binary, b.profile]), 'pprof -disasm'), out)
    t.is(ok(cli(['disasm', 'main\\.', b.profile]), 'disasm from the mapping file'), out)
    // -intel_syntax: the same instructions, Intel text
    const intel = ok(cli(['disasm', 'main\\.', b.profile, '--binary', b.binary, '-intel_syntax']), 'intel')
    t.deepEqual(parse(intel).routines, want.routines)
    t.notRegex(intel, /%[a-z]/)
    t.regex(intel, /: mov [a-z0-9]+, /)
  })
}

test('a binary without a symbol table is listed from its pclntab; the values add up to top', (t) => {
  const b = find('go126', 'stripped')
  // pprof cannot: it reads functions from the ELF symbol table only
  const p = goPprof(['-disasm', 'main\\.sieve', b.binary, b.profile])
  t.not(p.status, 0)
  t.regex(p.stderr, /no matches found for regexp/)
  const got = parse(ok(cli(['disasm', '(^| )main\\.sieve( |$)', b.profile, '--binary', b.binary, '-unit=ns']), 'disasm stripped'))
  t.is(got.routines.length, 1)
  const r = got.routines[0]
  t.is(r.name, 'main.sieve')
  const ns = (s: string) => (s === '.' ? 0 : Number(s.replace(/ns$/, '')))
  const [flat, cum] = r.totals.trim().split(/\s+/).map(ns)
  t.is(r.insts.reduce((a, [, f]) => a + ns(f), 0), flat)
  t.true(cum > 0)
  const top = JSON.parse(ok(cli(['top', b.profile, '--json', '-nodecount=1000']), 'top')) as { top: Array<{ name: string; flat: number; cum: number }> }
  const row = top.top.find((x) => x.name === 'main.sieve')!
  t.is(flat, row.flat)
  t.is(cum, row.cum)
  // addresses increase, each instruction after the one before
  const addrs = r.insts.map(([a]) => parseInt(a, 16))
  t.true(addrs.every((a, i) => i === 0 || a > addrs[i - 1]))
})

test('bad binaries are refused by name; a regexp that matches nothing says so; nothing is written', (t) => {
  const b = find('go126', 'full')
  const other = goBuild({ pkg: 'goprog', go: 'go126' })
  const out = path.join(dir, 'never.txt')
  // another program: its build id is not the profile's
  let r = cli(['disasm', 'main\\.', b.profile, '--binary', other, '-symbolize=none', '-output', out])
  t.is(r.status, 2, r.stderr)
  t.true(r.stderr.includes(other), r.stderr)
  t.regex(r.stderr, /build id/)
  // not ELF
  const text = path.join(dir, 'notes.txt')
  fs.writeFileSync(text, 'not a binary\n')
  r = cli(['disasm', 'main\\.', b.profile, '--binary', text])
  t.is(r.status, 2, r.stderr)
  t.true(r.stderr.includes(text), r.stderr)
  t.regex(r.stderr, /text file/)
  // another architecture
  const arm = path.join(dir, 'symbolize-arm64')
  execFileSync('go', ['build', '-o', arm, '.'], { cwd: path.join(ROOT, 'fixtures', 'symbolize'), env: { ...process.env, GOARCH: 'arm64', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' } })
  r = cli(['disasm', 'main\\.', b.profile, '--binary', arm, '-symbolize=none'])
  t.is(r.status, 2, r.stderr)
  t.true(r.stderr.includes(arm), r.stderr)
  t.regex(r.stderr, /Aarch64 code; disasm decodes x86-64 only/)
  // nothing matches
  r = cli(['disasm', 'no\\.such\\.function', b.profile, '--binary', b.binary])
  t.is(r.status, 2, r.stderr)
  t.true(r.stderr.includes('no matches found for regexp no\\.such\\.function'), r.stderr)
  t.false(fs.existsSync(out))
})

test("the web UI's Disassemble view shows the CLI's listing; right-click → Disassemble opens it", async (t) => {
  const b = find('go126', 'full')
  const s = await serve(['--binary', b.binary, b.profile])
  try {
    await openPage(`${s.url}ui/top`, async (page, errors) => {
      await page.waitForSelector('table.top tbody tr')
      const row = page.locator('table.top tbody tr td.name', { hasText: /^main\.sieve$/ }).first()
      await row.click({ button: 'right' })
      await page.click('#menu li[data-action="Disassemble"]')
      await page.waitForSelector('pre.disasm .routine')
      t.regex(page.url(), /\/ui\/disasm\?f=/)
      const f = new URL(page.url()).searchParams.get('f')!
      t.is(f, '(^| )main\\.sieve( |$)')
      const want = ok(cli(['disasm', f, b.profile, '--binary', b.binary, `-focus=${f}`]), 'cli disasm')
      t.is(await page.textContent('pre.disasm'), want.split('\n').filter((l) => l).join(''))
      const lines = await page.$$eval('pre.disasm > div', (ds) => ds.map((d) => [d.className, d.textContent ?? '']))
      t.is(lines.filter(([c]) => c.includes('routine')).map(([, l]) => l).join('\n'), 'ROUTINE ======================== main.sieve')
      // the highlighted lines are exactly the instructions with samples
      const sampled = parse(want).routines[0].insts.filter(([, fl, cu]) => fl !== '.' || cu !== '.').length
      t.true(sampled > 0)
      t.is(lines.filter(([c]) => c.includes('sampled')).length, sampled)
      await page.screenshot({ path: path.join(SHOTS, 'disasm.png'), fullPage: true })
      // the view is in the nav menu, and a regexp matching nothing is the core's message
      await page.goto(`${s.url}ui/disasm?f=${encodeURIComponent('no\\.such')}`)
      await page.waitForSelector('#errors .error')
      t.regex((await page.textContent('#errors'))!, /no matches found for regexp/)
      t.deepEqual(errors.filter((e) => !/400 \(Bad Request\)/.test(e)), [])
    })
  } finally {
    stop(s)
  }
})
