// Symbolization through the CLI and the Node API against real Go binaries: fixtures/symbolize is
// built by Go 1.26.8 and by Go 1.27.3 (goprog.ts; normally, `-ldflags=-w`, `-ldflags=-s -w`, and
// as a PIE), each binary profiles itself (1 s of CPU time, however long that takes), the profile's
// functions and lines are stripped (a small profile.proto rewriter below), and symbolizing it
// back must give the original `-raw` and `-top -lines` output. Each also writes a goroutine
// profile with a generic function parked in an inlined generic method (shape-named frames, which a
// CPU profile only has when a sample lands in generic code), symbolized back the same way. Expected difference: Go marks its
// own mapping `[FN]`, a mapping symbolized from a binary is `[FN][FL][LN][IN]` (as pprof does).
// Remote symbolization runs against the live fixtures/goprog, also behind a GET-only proxy (like
// kubo's mux). Needs `go` on PATH: the suite fails loudly without it.
import test from 'ava'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { Profile, runPprof, symbolize, symbolizeRemote } from '../src/index'
import { cli, tmpdir } from './helpers'
import { goBuild, type GoRuntime, RUNTIMES, startGoprog as startGoprogAt } from './goprog'

const KINDS = [
  { name: 'full', flags: [] as string[] },
  { name: 'nodwarf', flags: ['-ldflags=-w'] },
  { name: 'stripped', flags: ['-ldflags=-s -w'] },
  { name: 'pie', flags: ['-buildmode=pie'] },
]

// ---- a minimal profile.proto rewriter: drop Location.line, Profile.function and the mapping flags

function varint(b: Buffer, at: number): [bigint, number] {
  let v = 0n
  let shift = 0n
  for (;;) {
    const x = b[at++]
    v |= BigInt(x & 0x7f) << shift
    if ((x & 0x80) === 0) return [v, at]
    shift += 7n
  }
}

function putVarint(v: bigint): Buffer {
  const out: number[] = []
  do {
    let x = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) x |= 0x80
    out.push(x)
  } while (v > 0n)
  return Buffer.from(out)
}

/** Re-encode `msg` keeping the fields `keep` accepts; `edit` may rewrite a length-delimited field. */
function rewrite(msg: Buffer, keep: (field: number) => boolean, edit: (field: number, body: Buffer) => Buffer = (_, b) => b): Buffer {
  const parts: Buffer[] = []
  let at = 0
  while (at < msg.length) {
    const start = at
    const [key, a1] = varint(msg, at)
    at = a1
    const field = Number(key >> 3n)
    const wire = Number(key & 7n)
    let body: Buffer | null = null
    if (wire === 0) at = varint(msg, at)[1]
    else if (wire === 1) at += 8
    else if (wire === 5) at += 4
    else if (wire === 2) {
      const [len, a2] = varint(msg, at)
      body = msg.subarray(a2, a2 + Number(len))
      at = a2 + Number(len)
    } else throw new Error(`wire type ${wire}`)
    if (!keep(field)) continue
    if (body) {
      const nb = edit(field, body)
      parts.push(putVarint(key), putVarint(BigInt(nb.length)), nb)
    } else parts.push(msg.subarray(start, at))
  }
  return Buffer.concat(parts)
}

/** The profile with only addresses: no lines, no functions, mappings not symbolized. */
function stripProfile(gz: Buffer): Buffer {
  const p = zlib.gunzipSync(gz)
  const out = rewrite(
    p,
    (f) => f !== 5, // Profile.function
    (f, body) => {
      if (f === 4) return rewrite(body, (lf) => lf !== 4) // Location.line
      if (f === 3) return rewrite(body, (mf) => mf < 7 || mf > 10) // Mapping.has_*
      return body
    },
  )
  return zlib.gzipSync(out)
}

// ---- fixtures

interface Built {
  go: GoRuntime
  name: string
  binary: string
  profile: string
  stripped: string
  /** the goroutine profile with main.hold[shape] parked in the inlined main.(*Box[shape]).Wait */
  goroutines: string
  goroutinesStripped: string
}

let dir = ''
let built: Built[] = []
const goprogs: Partial<Record<GoRuntime, string>> = {}

test.before(async () => {
  dir = tmpdir('goroscope-symbolize-')
  const all = RUNTIMES.flatMap((go) => KINDS.map((k) => ({ go, ...k, binary: goBuild({ pkg: 'symbolize', go, flags: k.flags }) })))
  for (const go of RUNTIMES) goprogs[go] = goBuild({ pkg: 'goprog', go })
  const runs = all.map(
    (k) =>
      new Promise<void>((resolve, reject) => {
        const args = ['-o', path.join(dir, `${k.go}-${k.name}.pprof`), '-cpu', '1s', '-goroutine', path.join(dir, `${k.go}-${k.name}.goroutine.pprof`)]
        const p = spawn(k.binary, args, { stdio: 'ignore' })
        p.on('error', reject)
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${k.go}-${k.name} exited ${code}`))))
      }),
  )
  await Promise.all(runs)
  built = all.map((k) => {
    const profile = path.join(dir, `${k.go}-${k.name}.pprof`)
    const stripped = path.join(dir, `${k.go}-${k.name}.stripped.pb.gz`)
    fs.writeFileSync(stripped, stripProfile(fs.readFileSync(profile)))
    const goroutines = path.join(dir, `${k.go}-${k.name}.goroutine.pprof`)
    const goroutinesStripped = path.join(dir, `${k.go}-${k.name}.goroutine.stripped.pb.gz`)
    fs.writeFileSync(goroutinesStripped, stripProfile(fs.readFileSync(goroutines)))
    return { go: k.go, name: k.name, binary: k.binary, profile, stripped, goroutines, goroutinesStripped }
  })
})

const find = (go: GoRuntime, name: string) => built.find((x) => x.go === go && x.name === name)!

test.after.always(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** `-raw` of the original with the flags a binary-symbolized mapping gets. */
function expectedRaw(raw: string): string {
  return raw.replace(/^(1: 0x\S+ \S+ \S+ )\[FN\]$/m, '$1[FN][FL][LN][IN]')
}

function ok(r: ReturnType<typeof cli>, what: string) {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}\n${r.stderr}`)
  return r.stdout
}

for (const go of RUNTIMES) for (const kind of KINDS.map((k) => k.name)) {
  test(`CLI: symbolize --binary gives back the original profile (${go} ${kind})`, (t) => {
    const b = find(go, kind)
    const stripped = ok(cli(['raw', b.stripped]), 'raw stripped')
    t.false(/main\.(fib|sieve|hashLoop)/.test(stripped), 'the stripped profile has no function names')
    const out = path.join(dir, `${go}-${kind}.out.pb.gz`)
    const r = cli(['symbolize', b.stripped, '--binary', b.binary, '-o', out])
    t.is(r.status, 0, r.stderr)
    t.regex(r.stderr, /symbolized (\d+) of \1 locations from .* \(pclntab \1\)/)
    t.is(ok(cli(['raw', out]), 'raw out'), expectedRaw(ok(cli(['raw', b.profile]), 'raw orig')))
    const top = ok(cli(['top', '-lines', '-nodecount=1000', b.profile]), 'top orig')
    t.is(ok(cli(['top', '-lines', '-nodecount=1000', out]), 'top out'), top)
    // pprof-style commands take --binary too.
    t.is(ok(cli(['top', b.stripped, '-lines', '--binary', b.binary, '-nodecount=1000']), 'top --binary'), top)
    t.regex(top, /main\.mix .*main\.go:\d+ \(inline\)/)
    // Generic frames keep the full shape names the runtime wrote, inlined or not.
    const gout = path.join(dir, `${go}-${kind}.goroutine.out.pb.gz`)
    ok(cli(['symbolize', b.goroutinesStripped, '--binary', b.binary, '-o', gout]), 'symbolize goroutines')
    const graw = expectedRaw(ok(cli(['raw', b.goroutines]), 'raw goroutines'))
    const shape = 'go.shape.struct { main.key uint64; main.vals [4]uint64 }'
    t.true(graw.includes(` main.(*Box[${shape}]).Wait `) && graw.includes(`\n             main.hold[${shape}] `), graw)
    t.is(ok(cli(['raw', gout]), 'raw goroutines out'), graw)
  })
}

for (const go of RUNTIMES) {
  test(`Node API: Profile.load({binary}) and symbolize() (${go})`, async (t) => {
    const b = find(go, 'stripped')
    const want = (await (await Profile.load(b.profile)).top({ granularity: 'lines', nodecount: 1000 })).text
    const p = await Profile.load(b.stripped, { binary: b.binary })
    t.is((await p.top({ granularity: 'lines', nodecount: 1000 })).text, want)
    const r = await symbolize(b.stripped, b.binary)
    t.is(r.stats.symbolized, r.stats.locations)
    t.is(r.stats.pclntab, 'go1.20')
    t.false(r.stats.hasDwarf)
    t.false(r.stats.hasSymtab)
    t.is((await (await Profile.load(r.profile)).top({ granularity: 'lines', nodecount: 1000 })).text, want)
    t.is((await runPprof(['-top', '-lines', '-nodecount=1000', b.stripped], { binary: b.binary })).text, want)
  })

  test(`CLI: a binary that did not produce the profile is an error, exit 2, nothing written (${go})`, (t) => {
    const b = find(go, 'full')
    const goprog = goprogs[go]!
    const out = path.join(dir, `${go}-wrong.pb.gz`)
    const r = cli(['symbolize', b.stripped, '--binary', goprog, '-o', out])
    t.is(r.status, 2, r.stderr)
    t.regex(r.stderr, /does not match the profile/)
    t.regex(r.stderr, /GNU build id [0-9a-f]+/)
    t.false(fs.existsSync(out))
    // Another build of the same program is another binary as well.
    const other = find(go, 'nodwarf')
    const r2 = cli(['symbolize', b.stripped, '--binary', other.binary, '-o', out])
    t.is(r2.status, 2, r2.stderr)
    t.false(fs.existsSync(out))
    const r3 = cli(['top', b.stripped, '--binary', goprog])
    t.is(r3.status, 2)
    t.regex(r3.stderr, /does not match the profile/)
  })
}

test('CLI: a file that is not ELF is an error, exit 2, nothing written', (t) => {
  const b = find('go127', 'full')
  const text = path.join(dir, 'notes.txt')
  fs.writeFileSync(text, 'this is not a binary\n')
  const out = path.join(dir, 'text.pb.gz')
  const r = cli(['symbolize', b.stripped, '--binary', text, '-o', out])
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /the binary is a text file/)
  t.false(fs.existsSync(out))
  const r2 = cli(['symbolize', b.stripped, '-o', out])
  t.is(r2.status, 2)
  t.regex(r2.stderr, /--binary FILE or --remote URL/)
})

function startGoprog(go: GoRuntime) {
  return startGoprogAt(goprogs[go]!, ['-many', '20', '-max-life', '2m', '-gc-every', '0'])
}

/** Location id → innermost function name, from `-raw`. */
function innermost(raw: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of raw.split('\n')) {
    const x = /^\s+(\d+): 0x[0-9a-f]+ M=\d+ (\S+)/.exec(line)
    if (x) m.set(x[1], x[2])
  }
  return m
}

/** A proxy that routes only GET (405 for anything else), as Go ≥ 1.22 method patterns do. */
async function getOnlyProxy(target: string): Promise<{ server: http.Server; url: string; posts: number[] }> {
  const posts: number[] = []
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET') {
      posts.push(1)
      res.writeHead(405, { allow: 'GET' }).end('Method Not Allowed\n')
      return
    }
    const r = await fetch(target + req.url)
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(await r.text())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts }
}

for (const go of RUNTIMES) {
  test(`remote: /debug/pprof/symbol of the live program names an address-only profile (POST and GET-only, ${go})`, async (t) => {
    const { proc, base } = await startGoprog(go)
    try {
      const gz = Buffer.from(await (await fetch(`${base}/debug/pprof/goroutine`)).arrayBuffer())
      const orig = path.join(dir, `${go}-goroutine.pb.gz`)
      const stripped = path.join(dir, `${go}-goroutine.stripped.pb.gz`)
      fs.writeFileSync(orig, gz)
      fs.writeFileSync(stripped, stripProfile(gz))
      const want = innermost(ok(cli(['raw', orig]), 'raw orig'))
      t.true([...want.values()].includes('main.leakWorker'))

      const out = path.join(dir, `${go}-goroutine.remote.pb.gz`)
      const r = cli(['symbolize', stripped, '--remote', base, '-o', out])
      t.is(r.status, 0, r.stderr)
      t.regex(r.stderr, /symbolized (\d+) of \1 locations from .* \(remote \1\)/)
      t.deepEqual(innermost(ok(cli(['raw', out]), 'raw remote')), want)

      const proxy = await getOnlyProxy(base)
      try {
        const res = await symbolizeRemote(stripped, `${proxy.url}/debug/pprof/`, { maxUrlLength: 600 })
        t.is(proxy.posts.length, 1, 'POST was tried first and refused')
        t.is(res.stats.symbolized, res.stats.locations)
        fs.writeFileSync(out, res.profile)
        t.deepEqual(innermost(ok(cli(['raw', out]), 'raw get-only')), want)
      } finally {
        proxy.server.close()
      }

      const unreachable = cli(['symbolize', stripped, '--remote', 'http://127.0.0.1:1', '-o', path.join(dir, 'x.pb.gz')])
      t.is(unreachable.status, 2)
      t.false(fs.existsSync(path.join(dir, 'x.pb.gz')))
    } finally {
      proc.kill('SIGTERM')
    }
  })
}
