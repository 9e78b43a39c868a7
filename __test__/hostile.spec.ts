// Hostile inputs through the Node API and the CLI: every parser gets empty, 1-byte, garbage,
// NUL-filled, huge-line, bomb, truncated and crafted inputs. Each must end in a GoroscopeError
// with a stable code (CLI: exit 2), or in a correct result, never in a crash; and the process
// must still work afterwards. Names with ANSI escapes and <script> must not reach a terminal raw.
// RELIABILITY.md lists what each input produced.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { analyzeStacks, GoroscopeError, Profile, StackDump } from '../src/index'
import { symbolize } from '../src/symbolize'
import { forTerminal } from '../src/render/terminal'
import { cli, ROOT, tmpdir } from './helpers'

const dir = tmpdir('goroscope-hostile-')
const file = (name: string, data: string | Buffer) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, data)
  return p
}

// deterministic garbage (xorshift)
function garbage(n: number, seed = 0x2545f491): Buffer {
  const b = Buffer.alloc(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    b[i] = x & 0xff
  }
  return b
}

// --- a minimal protobuf writer for crafted profiles ---
function varint(v: number | bigint): number[] {
  let n = BigInt(v)
  const out: number[] = []
  do {
    let byte = Number(n & 0x7fn)
    n >>= 7n
    if (n > 0n) byte |= 0x80
    out.push(byte)
  } while (n > 0n)
  return out
}
const tag = (field: number, wt: number) => varint((field << 3) | wt)
const fv = (field: number, v: number | bigint) => [...tag(field, 0), ...varint(v)]
const fb = (field: number, bytes: number[] | Buffer) => [...tag(field, 2), ...varint(bytes.length), ...bytes]
const fs_ = (field: number, s: string) => fb(field, [...Buffer.from(s)])

/** A valid profile: one sample type, functions named `names`, one sample through all of them. */
function profileWith(names: string[], opts: { stack?: number[]; badString?: boolean } = {}): Buffer {
  const strings = ['', 'samples', 'count', ...names]
  const out: number[] = []
  out.push(...fb(1, [...fv(1, 1), ...fv(2, 2)])) // sample_type samples/count
  const stack = opts.stack ?? names.map((_, i) => i + 1)
  out.push(...fb(2, [...fb(1, stack.flatMap((id) => varint(id))), ...fb(2, varint(7))]))
  names.forEach((_, i) => {
    const id = i + 1
    // location id N → function id N (ids look cyclic: the stack revisits them)
    out.push(...fb(4, [...fv(1, id), ...fv(3, 0x1000 + id), ...fb(4, [...fv(1, id), ...fv(2, 10 + id)])]))
    out.push(...fb(5, [...fv(1, id), ...fv(2, opts.badString ? 99 : 3 + i), ...fv(4, opts.badString ? 98 : 3 + i)]))
  })
  for (const s of strings) out.push(...fs_(6, s))
  return Buffer.from(out)
}

const EVIL = 'main.\u001b[31mevil\u001b]0;pwned\u0007<script>alert(1)</script>"\''

const evilDump =
  `goroutine 1 [chan receive, 5 minutes]:\n${EVIL}(0x1, {0x2})\n\t/src/\u001b[2J<img src=x onerror=alert(1)>.go:12 +0x1d\n` +
  `created by main.\u001b[0mspawn in goroutine 0\n\t/src/main.go:3 +0x2\n\n`

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (!(e instanceof GoroscopeError)) throw e
    return e.code
  }
}

const hasEsc = (s: string) => s.includes('\u001b')

test('goroutine dumps: hostile inputs give coded errors or correct results (API and CLI)', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(64 << 20, 0x0a))
  const truncatedGz = zlib.gzipSync(Buffer.from('goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n'.repeat(2000))).subarray(0, 300)
  const nested = 'goroutine 1 [running]:\nmain.f(' + '{'.repeat(200_000) + '}'.repeat(200_000) + ')\n\t/x.go:1 +0x1\n'
  const cases: Array<[string, Buffer | string, string, object?]> = [
    ['empty', Buffer.alloc(0), 'GOROSCOPE_PARSE'],
    ['one byte', Buffer.from('g'), 'GOROSCOPE_PARSE'],
    ['binary garbage', garbage(1 << 20), 'GOROSCOPE_PARSE'],
    ['NUL-filled', Buffer.alloc(1 << 20), 'GOROSCOPE_PARSE'],
    ['a pprof profile', profileWith(['main.f']), 'GOROSCOPE_PARSE'],
    ['deeply nested braces in args', nested, 'ok'],
    ['gzip bomb (64 MiB, cap 1 MiB)', bomb, 'GOROSCOPE_LIMIT', { maxDecompressed: 1 << 20 }],
    ['truncated gzip', truncatedGz, 'GOROSCOPE_GZIP'],
    ['too many goroutines', 'goroutine 1 [running]:\nmain.f()\n\t/x.go:1\n\n'.repeat(1001), 'GOROSCOPE_LIMIT', { maxGoroutines: 1000 }],
    ['too deep a stack', 'goroutine 1 [running]:\n' + 'main.f()\n\t/x.go:1\n'.repeat(1001), 'GOROSCOPE_LIMIT', { maxFramesPerGoroutine: 1000 }],
  ]
  for (const [name, input, want, limits] of cases) {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input)
    t.is(await codeOf(analyzeStacks(buf, limits)), want, `${name} (Buffer)`)
    const f = file(name.replace(/\W+/g, '_'), buf)
    t.is(await codeOf(analyzeStacks(f, limits)), want, `${name} (path)`)
    const args = ['stacks', f, '--json']
    if (limits && 'maxDecompressed' in limits) args.push('--max-decompressed', String((limits as { maxDecompressed: number }).maxDecompressed))
    if (!limits || 'maxDecompressed' in limits) {
      const r = cli(args)
      t.is(r.signal, null, name)
      t.is(r.status, want === 'ok' ? 0 : 2, `${name}: ${r.stderr}`)
      if (want === 'ok') JSON.parse(r.stdout)
      else t.regex(r.stderr, /^goroscope: /, name)
    }
  }
  // a StackDump honours the same limits
  t.is(await codeOf(StackDump.open(bomb, { maxDecompressed: 1 << 20 })), 'GOROSCOPE_LIMIT')
  t.is(await codeOf(analyzeStacks(Buffer.from('x'), { maxGoroutines: 0.5 })), 'GOROSCOPE_OPTIONS')
  // the nested braces are kept as the frame's arguments
  const r = await analyzeStacks(Buffer.from(nested))
  t.is(r.groups[0].frames[0].function, 'main.f')
})

test('goroutine dumps: a 100 MB line and 1M tiny goroutines', async (t) => {
  const line = Buffer.alloc(100 << 20, 'a')
  const withLine = Buffer.concat([Buffer.from('goroutine 1 [running]:\nmain.f('), line, Buffer.from(')\n\t/x.go:1 +0x1\n\n')])
  const r1 = await analyzeStacks(withLine)
  t.is(r1.goroutines, 1)
  t.is(await codeOf(analyzeStacks(line)), 'GOROSCOPE_PARSE')
  const parts: string[] = []
  for (let i = 1; i <= 1_000_000; i++) parts.push(`goroutine ${i} [select]:\nmain.w()\n\t/w.go:9\n`)
  const tiny = Buffer.from(parts.join('\n'))
  const d = await StackDump.open(tiny)
  t.is(d.goroutines, 1_000_000)
  const r2 = await d.analyze({ top: 3 })
  t.is(r2.groups[0].count, 1_000_000)
  t.is(await codeOf(StackDump.open(tiny, { maxGoroutines: 999_999 })), 'GOROSCOPE_LIMIT')
  const f = file('tiny.txt', tiny)
  const c = cli(['stacks', f])
  t.is(c.status, 0, c.stderr)
  t.regex(c.stdout, /1,000,000/)
})

test('profiles: hostile inputs give coded errors or correct results (API and CLI)', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(64 << 20))
  const good = zlib.gzipSync(profileWith(['main.a', 'main.b']))
  const huge = Buffer.from([...fs_(6, ''), ...tag(6, 2), ...varint(1n << 62n), 0x41]) // string of 2^62 bytes declared
  const hugeSample = Buffer.from([...tag(2, 2), ...varint(0xffffffff), 1, 2, 3])
  const cases: Array<[string, Buffer, string, number?]> = [
    ['empty', Buffer.alloc(0), 'GOROSCOPE_PROFILE'],
    ['one byte', Buffer.from([0x0a]), 'GOROSCOPE_PROFILE'],
    ['binary garbage', garbage(1 << 20, 7), 'GOROSCOPE_PROFILE'],
    ['NUL-filled', Buffer.alloc(1 << 20), 'GOROSCOPE_PROFILE'],
    ['100 MB line', Buffer.alloc(100 << 20, 'x'), 'GOROSCOPE_PROFILE'],
    ['gzip bomb (64 MiB, cap 1 MiB)', bomb, 'GOROSCOPE_LIMIT', 1 << 20],
    ['truncated gzip', good.subarray(0, good.length - 12), 'GOROSCOPE_PROFILE'],
    ['huge declared string length', huge, 'GOROSCOPE_PROFILE'],
    ['huge declared sample length', hugeSample, 'GOROSCOPE_PROFILE'],
    ['out-of-range string indices', profileWith(['main.a'], { badString: true }), 'GOROSCOPE_PROFILE'],
    ['a goroutine dump', Buffer.from('goroutine 1 [running]:\nmain.f()\n\t/x.go:1\n'), 'GOROSCOPE_PROFILE'],
    ['cyclic-looking ids', profileWith(['main.a', 'main.b'], { stack: [1, 2, 1, 2, 1, 2, 1] }), 'ok'],
    ['deep recursion (100k frames)', profileWith(['main.r'], { stack: new Array(100_000).fill(1) }), 'ok'],
  ]
  for (const [name, input, want, maxDecompressed] of cases) {
    t.is(await codeOf(Profile.load(input, { maxDecompressed })), want, `${name} (Profile.load)`)
    const f = file('p_' + name.replace(/\W+/g, '_'), input)
    const args = ['top', f]
    if (maxDecompressed) args.push('--max-decompressed', String(maxDecompressed))
    const r = cli(args)
    t.is(r.signal, null, name)
    if (name === 'a goroutine dump') {
      // not a profile for the API, but the CLI's report commands read one dump as its
      // goroutine/count profile (as `go tool pprof` reads a debug=1 goroutine profile)
      t.is(r.status, 0, `${name}: ${r.stderr}`)
      t.regex(r.stdout, /^Type: goroutine$/m, name)
      t.regex(r.stdout, /\bmain\.f\b/, name)
      continue
    }
    t.is(r.status, want === 'ok' ? 0 : 2, `${name}: ${r.stderr}`)
  }
  // symbolization with hostile binaries
  const prof = file('sym.pb', profileWith(['main.a']))
  for (const [name, bin] of [['empty', Buffer.alloc(0)], ['garbage', garbage(4096, 3)], ['ELF magic only', Buffer.from('\u007fELF\u0002\u0001\u0001')]] as const) {
    const b = file('bin_' + name.replace(/\W+/g, '_'), bin)
    t.is(await codeOf(symbolize(prof, b)), 'GOROSCOPE_SYMBOLIZE', `symbolize: ${name}`)
  }
})

test('names with ANSI escapes and <script>: no raw ESC on a terminal, valid JSON', async (t) => {
  // goroutine dump: the text renderer escapes, JSON escapes
  const df = file('evil-dump.txt', evilDump)
  const text = cli(['stacks', df, '--color'])
  t.is(text.status, 0, text.stderr)
  t.true(text.stdout.includes('evil'))
  t.false(/\u001b(?!\[(?:\d+;)*\d*m)/.test(text.stdout), 'only our own SGR colour sequences may appear')
  t.false(text.stdout.includes('\u001b]0;'))
  t.false(text.stdout.includes('\u0007'))
  const plain = cli(['stacks', df])
  t.false(hasEsc(plain.stdout))
  t.true(plain.stdout.includes('\\x1b[31mevil'))
  const json = cli(['stacks', df, '--json'])
  t.false(hasEsc(json.stdout))
  const parsed = JSON.parse(json.stdout)
  t.is(parsed.groups[0].frames[0].function, EVIL)
  const api = await analyzeStacks(Buffer.from(evilDump))
  t.is(api.groups[0].frames[0].function, EVIL)

  // profile: pprof's text is byte-identical in a pipe; on a terminal control bytes are escaped
  const pf = file('evil.pb', profileWith([EVIL, 'main.ok']))
  const top = cli(['top', pf])
  t.is(top.status, 0, top.stderr)
  t.true(hasEsc(top.stdout), 'pipes get what pprof prints')
  t.false(hasEsc(forTerminal(top.stdout, { isTTY: true })))
  t.true(forTerminal(top.stdout, { isTTY: true }).includes('\\x1b[31mevil'))
  const pj = cli(['top', pf, '--json'])
  t.is(pj.status, 0, pj.stderr)
  t.false(hasEsc(pj.stdout))
  t.true(JSON.stringify(JSON.parse(pj.stdout)).includes('<script>'))
})

test('the process survives: a normal analysis still works after all of the above', async (t) => {
  const r = await analyzeStacks(path.join(ROOT, 'fixtures', 'dumps', 'go126-panic.txt'))
  t.true(r.goroutines > 0)
  const p = await Profile.load(path.join(ROOT, 'fixtures', 'profiles', 'go126-heap.pb.gz'))
  t.truthy(p)
})

test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }))
