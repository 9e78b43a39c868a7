// `goroscope stacks` as a user runs it: text and JSON reports, flags, exit codes, safe output; and
// the shape of the command line: help for every command, completion, the pass-through of pprof's
// flags, the exit-code map.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { COMMANDS } from '../src/cli/commands'
import { UsageError } from '../src/cli/errors'
import { exitCode } from '../src/cli/exit'
import { JSON_FLAG, MAX_DECOMPRESSED_FLAG, OUTPUT_FLAG, splitFlags } from '../src/cli/flags'
import { TargetError } from '../src/collect/target'
import { GoroscopeError } from '../src/index'
import { cli, DUMPS, ROOT, tmpdir } from './helpers'

const KUBO = path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt')
const PANICWEB = path.join(DUMPS, 'panicparse', 'static_panicweb.txt')

test('text report leads with states, hung groups and contention, then the biggest groups', (t) => {
  const r = cli(['stacks', KUBO])
  t.is(r.status, 0, r.stderr)
  const out = r.stdout
  const order = ['States', 'Hung: waiting ≥ 1 min', 'Lock contention', 'Biggest groups'].map((s) => out.indexOf(s))
  t.true(order.every((i) => i >= 0), out)
  t.deepEqual(order, [...order].sort((a, b) => a - b))
  t.regex(out, /1 goroutines/)
  t.regex(out, /\[semacquire, 458 min\]/)
  t.regex(out, /lock 0xc8222fd3e0/)
  t.regex(out, /2306090/)
  t.notRegex(out, /\x1b\[/, 'no colour when not on a TTY')
})

test('text report of a race-detector report: a "Data races" section with both accesses', (t) => {
  const r = cli(['stacks', path.join(DUMPS, 'panicparse', 'static_panic_race.txt')])
  t.is(r.status, 0, r.stderr)
  const out = r.stdout
  t.regex(out, /0 goroutines, 1 data race\n/)
  const at = out.indexOf('Data races (1)')
  t.true(at >= 0 && at < out.indexOf('States'), out)
  t.regex(out, /Read at 0xc000014100 by goroutine 8:\n\s+main\.panicDoRaceRead\(\)\n\s+\/go\/src\/github\.com\/maruel\/panicparse\/cmd\/panic\/main\.go:137\n/)
  t.regex(out, /Previous write at 0xc000014100 by goroutine 7:/)
  t.regex(out, /goroutine 8 \(running\) created at:\n\s+main\.panicRace\(\)\n\s+\S+main\.go:153/)
  // Names from the input are escaped like everywhere else.
  const evil = cli(['stacks', '-'], { input: 'WARNING: DATA RACE\nRead at 0x10 by goroutine 2:\n  main.\x1b[31mf()\n      /a.go:1 +0x1\n' })
  t.is(evil.status, 0, evil.stderr)
  t.regex(evil.stdout, /main\.\\x1b\[31mf\(\)/)
  t.notRegex(evil.stdout, /\x1b/)
})

test('colour only when asked or on a TTY', (t) => {
  const r = cli(['stacks', KUBO, '--color'])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /\x1b\[1m/)
})

test('--json prints the documented object', (t) => {
  const r = cli(['stacks', PANICWEB, '--json'])
  t.is(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  for (const k of ['goroutines', 'matched', 'states', 'classes', 'groups', 'hung', 'contention', 'diff', 'races', 'truncated', 'warnings']) {
    t.true(k in j, k)
  }
  t.is(j.goroutines, 71)
  t.deepEqual(j.races, [])
  const g = j.groups[0]
  for (const k of ['count', 'state', 'waitMinutes', 'ids', 'frames', 'createdBy']) t.true(k in g, k)
  t.deepEqual(Object.keys(g.frames[0]).sort(), ['args', 'file', 'function', 'line'])
  t.is(j.hung.length > 0, true, 'panicweb has 2-minute waits')
  t.true(j.hung.every((h: { waitMinutes: { max: number } }) => h.waitMinutes.max >= 1))
})

test('--min-wait, --state, --match, --top, --sort shape the report', (t) => {
  const hi = JSON.parse(cli(['stacks', PANICWEB, '--json', '--min-wait', '3']).stdout)
  t.is(hi.hung.length, 0, 'nothing waited 3 minutes')
  const sel = JSON.parse(cli(['stacks', PANICWEB, '--json', '--state', 'select']).stdout)
  t.true(sel.matched > 0 && sel.matched < 71)
  const m = JSON.parse(cli(['stacks', PANICWEB, '--json', '--match', 'crypto/tls']).stdout)
  t.true(m.groups.every((g: { frames: { function: string; file: string }[] }) => g.frames.some((f) => /crypto\/tls/.test(f.function + f.file))))
  const top = JSON.parse(cli(['stacks', PANICWEB, '--json', '--top', '1']).stdout)
  t.is(top.groups.length, 1)
  const wait = cli(['stacks', PANICWEB, '--sort', 'wait'])
  t.is(wait.status, 0, wait.stderr)
})

test('--diff shows growth against a base dump', (t) => {
  const dir = tmpdir()
  const text = fs.readFileSync(PANICWEB, 'utf8')
  const block = text.split(/\n\n(?=goroutine )/).find((b) => b.includes('[select'))!
  let extra = ''
  for (let i = 0; i < 7; i++) extra += '\n\n' + block.replace(/^goroutine \d+/, `goroutine ${800000 + i}`)
  const now = path.join(dir, 'now.txt')
  fs.writeFileSync(now, text.trimEnd() + extra + '\n')
  const j = JSON.parse(cli(['stacks', now, '--json', '--diff', PANICWEB]).stdout)
  t.is(j.diff[0].delta, 7)
  const txt = cli(['stacks', now, '--diff', PANICWEB]).stdout
  t.regex(txt, /Change since the base dump/)
  t.regex(txt, /\+7/)
})

test('standard input works with -', (t) => {
  const r = cli(['stacks', '-', '--json'], { input: fs.readFileSync(KUBO) })
  t.is(r.status, 0, r.stderr)
  t.is(JSON.parse(r.stdout).goroutines, 1)
})

test('bad input: exit 2 with the file named, nothing on stdout', (t) => {
  const dir = tmpdir()
  const empty = path.join(dir, 'empty.txt')
  fs.writeFileSync(empty, '')
  for (const [file, re] of [
    [empty, /empty\.txt/],
    [path.join(dir, 'missing.txt'), /missing\.txt/],
  ] as const) {
    const r = cli(['stacks', file])
    t.is(r.status, 2, r.stderr)
    t.regex(r.stderr, re)
    t.is(r.stdout, '')
  }
  const bad = cli(['stacks', KUBO, '--match', '(('])
  t.is(bad.status, 2)
  t.regex(bad.stderr, /match/)
  const unknown = cli(['stacks', KUBO, '--no-such-flag'])
  t.is(unknown.status, 2)
  const none = cli([])
  t.is(none.status, 2)
})

test('-o writes atomically and never replaces a good file with a partial one', (t) => {
  const dir = tmpdir()
  const out = path.join(dir, 'report.json')
  t.is(cli(['stacks', KUBO, '--json', '-o', out]).status, 0)
  const good = fs.readFileSync(out, 'utf8')
  t.is(JSON.parse(good).goroutines, 1)
  const empty = path.join(dir, 'empty.txt')
  fs.writeFileSync(empty, '')
  const r = cli(['stacks', empty, '--json', '-o', out])
  t.is(r.status, 2)
  t.is(fs.readFileSync(out, 'utf8'), good)
  t.deepEqual(fs.readdirSync(dir).sort(), ['empty.txt', 'report.json'], 'no temporary files left behind')
})

test('names from the dump never reach the terminal raw (ANSI escapes are shown escaped)', (t) => {
  const evil = 'goroutine 1 [chan receive, 3 minutes]:\nmain.\x1b[2J\x1b]0;pwned\x07evil(0x1)\n\t/src/\x1b[31mred.go:10 +0x1\n'
  const r = cli(['stacks', '-'], { input: evil })
  t.is(r.status, 0, r.stderr)
  t.false(r.stdout.includes('\x1b'), JSON.stringify(r.stdout))
  t.regex(r.stdout, /main\.\\x1b\[2J/)
})

test('-o /dev/null writes to the device, never replaces it', (t) => {
  const before = fs.statSync('/dev/null')
  const r = cli(['stacks', KUBO, '--json', '-o', '/dev/null'])
  t.is(r.status, 0, r.stderr)
  const after = fs.statSync('/dev/null')
  t.true(after.isCharacterDevice())
  t.is(after.rdev, before.rdev)
})

// ---- the command line's shape: one table of commands, help for each, completion, exit codes

test('every command has its own --help (pprof commands included), exit 0', (t) => {
  for (const cmd of Object.keys(COMMANDS)) {
    const r = cli([cmd, '--help'])
    t.is(r.status, 0, `${cmd}: ${r.stderr}`)
    t.true(r.stdout.startsWith(`goroscope ${cmd}`), `${cmd}: ${r.stdout.slice(0, 80)}`)
    t.regex(r.stdout, /--help/)
    if (COMMANDS[cmd] === 'pprof' || COMMANDS[cmd] === 'graph') {
      t.regex(r.stdout, /pprof flags keep pprof's names and defaults: -sample_index/, cmd)
      t.regex(r.stdout, /-o, --output/, cmd)
    }
    if (COMMANDS[cmd] === 'graph') t.regex(r.stdout, /A text goroutine dump \(debug=2, panic, SIGQUIT\) in place of the profile/, cmd)
  }
  const completion = cli(['completion', '--help'])
  t.is(completion.status, 0)
  t.true(completion.stdout.startsWith('goroscope completion\n'), completion.stdout.slice(0, 80))
  t.regex(completion.stdout, /source <\(goroscope completion\)/)
  t.notRegex(completion.stdout, /_goroscope_yargs_completions/, 'the help, not the script')
  const top = cli(['--help'])
  t.is(top.status, 0)
  for (const cmd of Object.keys(COMMANDS)) t.regex(top.stdout, new RegExp(`goroscope ${cmd}\\b`), cmd)
  t.is(cli(['--version']).stdout, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`)
})

test('a usage error of a pprof command prints the usage of the whole family, exit 2', (t) => {
  const r = cli(['peek'])
  t.is(r.status, 2)
  t.regex(r.stderr, /^goroscope: peek needs a regular expression/)
  t.regex(r.stderr, /\nusage:\n  goroscope top\|text\|traces\|tree\|raw\|tags\|comments PROFILE\.\.\./)
  t.regex(r.stderr, /goroscope flame PROFILE\.\.\.\|DUMP \[pprof flags\] \[--min-wait N\] -o FILE\.html/)
  const m = cli(['stacks', 'x', '--no-such-flag'])
  t.is(m.status, 2)
  t.regex(m.stderr, /\(see goroscope stacks --help\)\n$/)
})

test('the pass-through: our flags come out, pprof flags and inputs go to the core unchanged and in order', (t) => {
  const s = splitFlags(['-nodecount=5', 'a.pb', '--json', '-o', 'out', '-focus', 'x|y', '--max-decompressed=9', '-output=b', 'c.pb'], [JSON_FLAG, OUTPUT_FLAG, MAX_DECOMPRESSED_FLAG])
  t.deepEqual(s.rest, ['-nodecount=5', 'a.pb', '-focus', 'x|y', 'c.pb'])
  t.deepEqual([...s.own], [['json', true], ['output', 'b'], ['max-decompressed', 9]])
  t.throws(() => splitFlags(['-o'], [OUTPUT_FLAG]), { message: '-o needs a file name' })
  t.throws(() => splitFlags(['--max-decompressed', '0'], [MAX_DECOMPRESSED_FLAG]), { message: /--max-decompressed needs a whole number of bytes ≥ 1, not "0"/ })
})

test('one exit-code map: GOROSCOPE_* codes are bad input (2) but a panic (1); a missing file 2; anything else 1', (t) => {
  t.is(exitCode(new GoroscopeError('GOROSCOPE_PARSE', 'x')), 2)
  t.is(exitCode(new GoroscopeError('GOROSCOPE_RENDER', 'x')), 2)
  t.is(exitCode(new GoroscopeError('GOROSCOPE_PANIC', 'x')), 1)
  t.is(exitCode(new UsageError('x')), 2)
  t.is(exitCode(new TargetError('x')), 2)
  t.is(exitCode(Object.assign(new Error('x'), { code: 'ENOENT' })), 2)
  t.is(exitCode(new TypeError('x')), 1)
  t.is(exitCode('a string'), 1)
})

/** Every module file (CommonJS and ES module) one CLI run loads, relative to the checkout. */
function loadsOf(args: string[]): string[] {
  const dir = tmpdir()
  const out = path.join(dir, 'loads.txt')
  const preload = path.join(dir, 'record-loads.cjs')
  // CommonJS through Module._load, ES modules (yargs) through a resolve hook
  const hooks = `import * as fs from 'node:fs'\nexport async function resolve(s, c, next) { const r = await next(s, c); fs.appendFileSync(${JSON.stringify(out)}, r.url + '\\n'); return r }`
  fs.writeFileSync(
    preload,
    `const fs = require('node:fs'); const Module = require('node:module'); const load = Module._load
Module._load = function (request, parent, isMain) { try { fs.appendFileSync(${JSON.stringify(out)}, Module._resolveFilename(request, parent, isMain) + '\\n') } catch {} return load.apply(this, arguments) }
Module.register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}))\n`,
  )
  const r = spawnSync(process.execPath, ['--require', preload, path.join(ROOT, 'bin', 'goroscope.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`)
  return [...new Set(fs.readFileSync(out, 'utf8').split('\n').map((l) => l.replace(/^file:\/\//, '')).filter((l) => l.startsWith(ROOT)).map((l) => path.relative(ROOT, l)))]
}

test('a command loads only what it runs: no yargs for --version and the pprof reports, Graphviz and yauzl only where needed', (t) => {
  const pkg = (loads: string[], name: string) => loads.some((l) => l.startsWith(`node_modules/${name}/`))
  const family = (loads: string[], name: string) => loads.includes(`dist/src/cli/${name}.js`)
  const version = loadsOf(['--version'])
  t.false(version.some((l) => l.startsWith('node_modules/')), version.join(' '))
  t.false(version.some((l) => l.endsWith('.node') || l === 'index.js'), 'no native addon')
  for (const f of ['stacks', 'pprof', 'graph', 'symbolize', 'node']) t.false(family(version, f), f)

  const top = loadsOf(['top', path.join(ROOT, 'fixtures', 'profiles', 'go126-cpu.pb.gz')])
  t.true(family(top, 'pprof') && top.includes('goroscope.linux-x64-gnu.node'))
  for (const p of ['yargs', '@viz-js', 'yauzl', 'tar-stream']) t.false(pkg(top, p), `top loads ${p}`)
  for (const f of ['stacks', 'graph', 'symbolize', 'node']) t.false(family(top, f), `top loads cli/${f}`)

  const stacks = loadsOf(['stacks', path.join(ROOT, 'fixtures', 'dumps', 'go126-debug2-minutes.txt')])
  t.true(pkg(stacks, 'yargs') && family(stacks, 'stacks'))
  for (const p of ['@viz-js', 'yauzl', 'tar-stream']) t.false(pkg(stacks, p), `stacks loads ${p}`)
  for (const f of ['pprof', 'graph', 'symbolize', 'node']) t.false(family(stacks, f), `stacks loads cli/${f}`)

  const report = loadsOf(['report', path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')])
  t.true(pkg(report, 'tar-stream'))
  for (const p of ['@viz-js', 'yauzl']) t.false(pkg(report, p), `report of a tar loads ${p}`)

  const svg = loadsOf(['svg', path.join(ROOT, 'fixtures', 'profiles', 'go126-cpu.pb.gz'), '-o', path.join(tmpdir(), 'x.svg')])
  t.true(pkg(svg, '@viz-js'), 'the control: the recorder sees Graphviz-wasm load')
  for (const p of ['yargs', 'yauzl', 'tar-stream']) t.false(pkg(svg, p), `svg loads ${p}`)
})

test('goroscope completion prints a bash script that completes command names and flags', (t) => {
  const script = cli(['completion'])
  t.is(script.status, 0, script.stderr)
  t.regex(script.stdout, /_goroscope_yargs_completions\(\)/)
  // the script runs `goroscope --get-yargs-completions …`: put a `goroscope` on PATH
  const bin = tmpdir()
  fs.writeFileSync(path.join(bin, 'goroscope'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'goroscope.js')}" "$@"\n`, { mode: 0o755 })
  const file = path.join(bin, 'goroscope-completion.bash')
  fs.writeFileSync(file, script.stdout)
  const complete = (words: string[]) => {
    const r = spawnSync('bash', ['-c', `source "$0"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _goroscope_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`, file], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' },
    })
    t.is(r.status, 0, r.stderr)
    return r.stdout.split('\n').filter((l) => l !== '')
  }
  t.deepEqual(complete(['goroscope', 'st']), ['stacks'])
  t.deepEqual(complete(['goroscope', 'fl']), ['flame'])
  t.true(complete(['goroscope', '']).includes('report'))
  t.true(complete(['goroscope', 'stacks', '--mi']).includes('--min-wait'))
})
