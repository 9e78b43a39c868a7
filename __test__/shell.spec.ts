// pprof's interactive shell: scripted stdin through `goroscope pprof PROFILE` and through
// `go tool pprof PROFILE` (Go 1.26, the oracle, run live; its answers are cached under
// ~/.cache/goroscope/shell-oracle keyed by the Go version, the profile's bytes and the script),
// on the fixture profiles and corpus profiles: standard output must be identical, prompts
// included, for every report command, filters set then cleared, sample_index changes,
// `top10 -cum`, `> file`; standard error too where pprof prints help, options and errors there.
// Then what the oracle cannot show: Ctrl-C during a slow report, `web`, completion, history.
import test from 'ava'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

import { completer } from '../src/cli/shell/complete'
import { decodeFlame } from '../src/pages/webui/flame-data'
import { HISTORY_MAX, loadHistory, saveHistory } from '../src/cli/shell/input'
import { PprofSession } from '../src/pprof-session'
import { CORPUS, ROOT, tmpdir } from './helpers'

const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const fixture = (n: string) => path.join(PROFILES, n)
const corpus = (n: string) => path.join(CORPUS, 'google-pprof', 'generated', 'driver-inputs', n)
const HEAP = fixture('go126-heap.pb.gz')
const CPU = fixture('go126-cpu.pb.gz')

interface Run {
  stdout: string
  stderr: string
  status: number | null
  /** Files the run left in its working directory, with their contents (binary ones as their size). */
  files: Record<string, string>
}

const ENV = { ...process.env, TZ: 'UTC', BROWSER: '', DISPLAY: '', NO_COLOR: '1', TERM: 'dumb' }

function filesIn(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of fs.readdirSync(dir).sort()) {
    const b = fs.readFileSync(path.join(dir, f))
    out[f] = /\.(txt|dot)$/.test(f) ? b.toString('utf8') : `${b.length > 0 ? 'non-empty' : 'empty'} ${f.endsWith('.gz') ? b.subarray(0, 2).toString('hex') : ''}`
  }
  return out
}

function run(cmd: string, args: string[], script: string): Run {
  const cwd = tmpdir('goroscope-shell-')
  const r = spawnSync(cmd, args, { cwd, input: script, env: ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })
  const files = filesIn(cwd)
  fs.rmSync(cwd, { recursive: true, force: true })
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, files }
}

const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim()
const CACHE = path.join(os.homedir(), '.cache', 'goroscope', 'shell-oracle')

/** `go tool pprof PROFILE` with `script` on stdin, cached. */
function oracle(profile: string, script: string): Run {
  const key = createHash('sha256').update(goVersion).update('\0').update(fs.readFileSync(profile)).update('\0').update(script).digest('hex')
  const file = path.join(CACHE, `${key}.json`)
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Run
  const r = run('go', ['tool', 'pprof', '-symbolize=none', profile], script)
  fs.mkdirSync(CACHE, { recursive: true })
  fs.writeFileSync(file, JSON.stringify(r))
  return r
}

function ours(profile: string, script: string): Run {
  return run(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', '-symbolize=none', profile], script)
}

const lines = (...l: string[]) => l.map((s) => s + '\n').join('')

const REPORTS = lines('top', 'top10 -cum', 'top3 runtime', 'top -runtime', 'text', 'tree', 'tree 4 -cum', 'peek main|runtime', 'traces', 'raw', 'tags', 'comments', 'dot', 'top5 >', 'q')
const FILTERS = lines(
  'focus=main', 'top', 'focus=', 'top',
  'ignore=runtime', 'tree', 'ignore=',
  'hide=runtime', 'show=main', 'top', 'hide=', 'show=', 'top',
  'show_from=main', 'prune_from=runtime', 'top', 'show_from=', 'prune_from=', 'dot',
  'tagfocus=bytes=1kb:', 'tags', 'tagfocus=', 'tags',
  'focus=main //: a comment', 'hide=runtime', ':', 'top',
  'nodecount=3', 'top', 'tree', 'nodecount=-1', 'top',
  'granularity=lines', 'top5', 'filefunctions=true', 'top5', 'granularity=functions',
  'cum=1', 'top5', 'sort=flat', 'flat=true', 'top5', 'trim=false', 'dot', 'trim=true',
  'unit=ms', 'top3', 'unit=minimum', 'divide_by=2', 'top3', 'divide_by=1',
  'relative_percentages=true', 'focus=main', 'top3', 'relative_percentages=false', 'focus=', 'top3',
)
const SAMPLE_INDEX = lines('sample_index=alloc_space', 'top5', 'sample_index=0', 'top5', 'mean_alloc_space', 'top3', 'total_inuse_space', 'top3', 'alloc_objects', 'top3', 'sample_index=foo', 'sample_index=9', 'sample_index=', 'o', 'top3')
const ERRORS = lines(
  'bogus', 'nodecount', 'focus x', 'sort cum', 'cum', 'peek', 'top >', 'trim=maybe', 'nodecount=x', 'sort=up', 'lines',
  'help', 'help top', 'help peek', 'help list', 'help focus', 'help sample_index', 'help compact_labels', 'help cum', 'help sort', 'help bogus',
  'o', 'options', 'unit=ms', 'focus=main', 'granularity=lines', 'nodecount=7', 'o', '', '   ', 'top3', 'exit', 'top',
)
const FILES = lines('top5 >top.txt', 'top3 -cum > cum.txt', 'dot >graph.dot', 'output=all.txt', 'tree', 'output=', 'proto', 'proto >p.pb.gz', 'svg', 'top3')

interface Case {
  title: string
  script: string
  profiles: string[]
  /** Compare standard error too (pprof's help, options and error texts). */
  stderr?: boolean
  /** Compare the files left in the working directory. */
  files?: boolean
}

const CASES: Case[] = [
  {
    title: 'every report command',
    script: REPORTS,
    profiles: [HEAP, CPU, fixture('go126-allocs.pb.gz'), fixture('go126-goroutine.pb.gz'), fixture('go126-mutex.pb.gz'), fixture('go126-block-contended.pb.gz'), fixture('go126-mutex-contended-debug1.txt'), corpus('cpu.pb.gz'), corpus('heap.pb.gz'), corpus('contention.pb.gz')],
  },
  { title: 'filters and options set, then cleared', script: FILTERS, profiles: [HEAP, CPU, corpus('cpu.pb.gz'), corpus('heap_tags.pb.gz')] },
  { title: 'sample_index changes', script: SAMPLE_INDEX, profiles: [HEAP, fixture('go126-allocs.pb.gz')], stderr: true },
  { title: 'unknown commands and options, help, o', script: ERRORS, profiles: [HEAP, CPU], stderr: true },
  { title: '> file, output=, proto and svg files', script: FILES, profiles: [HEAP], stderr: true, files: true },
]

for (const c of CASES) {
  test(`shell: ${c.title}: what go tool pprof prints`, (t) => {
    for (const profile of c.profiles) {
      const name = path.relative(ROOT, profile)
      const want = oracle(profile, c.script)
      const got = ours(profile, c.script)
      t.is(want.status, 0, `${name}: go tool pprof: ${want.stderr}`)
      t.is(got.status, 0, `${name}: ${got.stderr}`)
      // the prompts are there: one per line read, and one for the end of input
      t.true(got.stdout.split('(pprof) ').length > 2, name)
      t.is(got.stdout, want.stdout, `${name}: stdout`)
      if (c.stderr) t.is(got.stderr, want.stderr, `${name}: stderr`)
      if (c.files) t.deepEqual(got.files, want.files, `${name}: files`)
    }
  })
}

test('shell: a session is fetched once and keeps its settings', async (t) => {
  const s = await PprofSession.open(['-sample_index=alloc_space', HEAP])
  t.deepEqual(s.sampleTypes, ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'])
  t.is(s.option('sample_index'), 'alloc_space')
  t.deepEqual(s.interpret('focus=main'), [])
  t.is(s.option('focus'), 'main')
  const steps = s.interpret('top3 -cum')
  t.deepEqual(steps.map((x) => x.kind), ['report'])
  const r = await s.report(steps[0].tokens)
  t.is(r.command, 'top')
  t.is(r.show, 'stdout')
  t.true(r.report.text.startsWith('Active filters:\n   focus=main\n'), r.report.text)
  const svg = await s.report(['svg'])
  t.deepEqual([svg.post, svg.show, svg.suffix, svg.report.kind], ['svg', 'file', 'svg', 'dot'])
  const err = await t.throwsAsync(s.report(['bogus']))
  t.is(err?.message, 'unrecognized command: "bogus"')
  t.is((err as { code?: string }).code, 'GOROSCOPE_OPTIONS')
  t.false(PprofSession.entersShell(['-top', HEAP]))
  t.true(PprofSession.entersShell([HEAP]))
})

test('shell: web writes the SVG and opens it with $BROWSER; flame opens a flame graph page', async (t) => {
  const dir = tmpdir('goroscope-shell-web-')
  const browser = path.join(dir, 'browser.sh')
  // the shell removes the file it opened when it ends (as pprof does): keep a copy
  fs.writeFileSync(browser, '#!/bin/sh\nn=$(ls "$COPIES" | wc -l)\ncp "$1" "$COPIES/$n-$(basename "$1")"\n', { mode: 0o755 })
  const copies = path.join(dir, 'copies')
  fs.mkdirSync(copies)
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', HEAP], {
    cwd: dir,
    input: 'web\nflame\nquit\n',
    env: { ...ENV, BROWSER: browser, COPIES: copies },
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, '(pprof) (pprof) (pprof) ')
  const got = fs.readdirSync(copies).sort()
  t.is(got.length, 2, r.stderr)
  t.regex(got[0], /^0-pprof\d{3}\.svg$/)
  const svg = fs.readFileSync(path.join(copies, got[0]), 'utf8')
  t.true(svg.includes('<g id="viewport"') && svg.includes('runtime.malg'))
  t.regex(got[1], /^1-pprof\d{3}\.html$/)
  // the page carries the core's flame report (base64): the profile's functions are in it
  const page = fs.readFileSync(path.join(copies, got[1]), 'utf8')
  const b64 = /<script type="application\/octet-stream" id="flame-data">([^<]*)<\/script>/.exec(page)
  t.truthy(b64)
  t.true(decodeFlame(Buffer.from(b64![1], 'base64')).names.includes('runtime.mallocgc'))
  fs.rmSync(dir, { recursive: true, force: true })
})

test('shell: Ctrl-C stops a long report and gives the prompt back', async (t) => {
  const { ensureProfile } = (await import(path.join(ROOT, 'bench', 'gen-profile.mjs'))) as {
    ensureProfile: (o: { samples: number; out: string }) => { file: string }
  }
  const big = ensureProfile({ samples: 150_000, out: path.join(os.homedir(), '.cache', 'goroscope', 'shell-big-150k.pb.gz') }).file
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', big], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters: Array<() => void> = []
  const poke = () => waiters.splice(0).forEach((w) => w())
  child.stdout.on('data', (b: Buffer) => ((stdout += b.toString()), poke()))
  child.stderr.on('data', (b: Buffer) => ((stderr += b.toString()), poke()))
  const until = async (what: string, f: () => boolean) => {
    const deadline = Date.now() + 120_000
    while (!f()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout ${JSON.stringify(stdout.slice(-200))}; stderr ${stderr}`)
      await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 200)))
    }
  }
  const prompts = () => stdout.split('(pprof) ').length - 1
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  await until('the first prompt', () => prompts() === 1)
  child.stdin.write('traces\n')
  await new Promise((r) => setTimeout(r, 1500))
  t.is(prompts(), 1, 'the traces report was still running when interrupted')
  child.kill('SIGINT')
  await until('the prompt after Ctrl-C', () => prompts() === 2)
  t.true(stderr.includes('interrupted'), stderr)
  child.stdin.end('top3\n')
  t.is(await exited, 0, stderr)
  const after = stdout.slice(stdout.indexOf('(pprof) (pprof) ') + '(pprof) (pprof) '.length)
  t.regex(after, /^Showing nodes accounting for .*\n(Dropped .*\n)?Showing top 3 nodes out of \d+\n      flat  flat%/)
  t.true(after.endsWith('(pprof) '))
})

test('shell: completion of commands, options, help topics and sample types', (t) => {
  const c = completer(['help', 'nodecount', 'nodefraction', 'peek', 'top', 'topproto', 'traces', 'tree'], ['alloc_space', 'inuse_space'])
  t.deepEqual(c('to'), [['top', 'topproto'], 'to'])
  t.deepEqual(c('node'), [['nodecount', 'nodefraction'], 'node'])
  t.deepEqual(c('help tr'), [['traces', 'tree'], 'tr'])
  t.deepEqual(c('sample_index=in'), [['inuse_space'], 'in'])
  t.deepEqual(c('bogus ma'), [[], 'bogus ma'])
  const f = completer(['peek', 'tags', 'top'], [], () => ['main.main', 'main.worker', 'runtime.mallocgc'])
  t.deepEqual(f('peek wor'), [['main.worker'], 'wor'])
  t.deepEqual(f('top10 -cum -mall'), [['-runtime.mallocgc'], '-mall'])
  t.deepEqual(f('top main'), [['main.main', 'main.worker'], 'main'])
  t.deepEqual(f('tags main'), [[], 'tags main'])
})

test('shell: history is kept oldest first, at most HISTORY_MAX lines', (t) => {
  const dir = tmpdir('goroscope-shell-history-')
  const file = path.join(dir, '.goroscope_history')
  t.deepEqual(loadHistory(file), [])
  saveHistory(file, ['top', 'focus=main'])
  t.is(fs.readFileSync(file, 'utf8'), 'focus=main\ntop\n')
  t.deepEqual(loadHistory(file), ['top', 'focus=main'])
  const many = Array.from({ length: HISTORY_MAX + 20 }, (_, i) => `top${i}`)
  saveHistory(file, many)
  const back = loadHistory(file)
  t.is(back.length, HISTORY_MAX)
  t.is(back[0], 'top0')
  fs.rmSync(dir, { recursive: true, force: true })
})

test('shell: on a terminal, tab completes, Ctrl-C clears the line, Ctrl-D leaves, history is saved', async (t) => {
  // a pseudo-terminal from util-linux's script(1): the shell sees a TTY on stdin and stderr
  const home = tmpdir('goroscope-shell-tty-')
  const cmd = [process.execPath, path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', HEAP].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...ENV, HOME: home, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  /** Wait until the terminal shows `what` (`count` times). */
  const waitFor = async (what: string, count = 1) => {
    const deadline = Date.now() + 60_000
    while (out.split(what).length - 1 < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(what)}: ${JSON.stringify(out)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await waitFor('(pprof) ')
  child.stdin.write('comm\t')
  await waitFor('comments')
  child.stdin.write('\r')
  await waitFor('(pprof) ', 2)
  child.stdin.write('focus=xyz\x03')
  await waitFor('^C')
  child.stdin.write('top3\r')
  await waitFor('Showing top 3 nodes out of 6\r\n')
  child.stdin.write('\x04')
  t.is(await exited, 0, out)
  // the cleared line was never run: top3 is unfiltered
  t.false(out.includes('Active filters'))
  t.is(fs.readFileSync(path.join(home, '.goroscope_history'), 'utf8'), 'comments\ntop3\n')
  fs.rmSync(home, { recursive: true, force: true })
})

test('shell: a goroutine dump is read as its goroutine/count profile, as the one-shot commands read it', (t) => {
  const dump = path.join(ROOT, 'fixtures', 'dumps', 'go126-debug2-minutes.txt')
  const oneShot = (...flags: string[]) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', ...flags, dump], { env: ENV, encoding: 'utf8' })
    t.is(r.status, 0, r.stderr)
    return r.stdout
  }
  const got = ours(dump, lines('tags', 'top', 'tagfocus=state=chan', 'traces'))
  t.is(got.status, 0, got.stderr)
  t.is(got.stdout, ['', oneShot('-tags'), oneShot('-top', '-nodecount=10', '-compact_labels'), '', oneShot('-traces', '-compact_labels', '-tagfocus=state=chan'), ''].join('(pprof) '))
  t.true(got.stdout.includes('state'))
})

test('shell: a URL source is fetched once, saved as pprof saves it, and entered like a file', async (t) => {
  const body = fs.readFileSync(HEAP)
  let hits = 0
  const server = http.createServer((_req, res) => {
    hits++
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/heap`
  const saved = tmpdir('goroscope-shell-saved-')
  const script = lines('top', 'focus=newproc', 'tree', 'focus=', 'top3 -cum')
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', url], { env: { ...ENV, PPROF_TMPDIR: saved }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  child.stdin.end(script)
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
  server.close()
  t.is(code, 0, stderr)
  t.is(hits, 1, 'fetched once for all the reports')
  t.is(fs.readdirSync(saved).length, 1, stderr)
  t.is(stdout, ours(HEAP, script).stdout)
  t.true(stdout.includes('Active filters:\n   focus=newproc'))
  fs.rmSync(saved, { recursive: true, force: true })
})
