// `goroscope redact` / `collect --redact`: paths, addresses, command lines, environment and host
// names leave the bundle; lock-holder analysis still works on the redacted goroutine dump.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { AddressAliases, redactEntries, redactPath, redactStacksText, scrubHomes } from '../src/bundle/redact'
import { readSource } from '../src/bundle/source'
import { tarGzip } from '../src/bundle/tar-write'
import type { Manifest } from '../src/bundle/manifest'
import { analyzeStacks } from '../src/index'
import { native } from '../src/native'
import type { NodeReport } from '../src/report-node/analyze'
import { cli, FIXTURE_DUMPS, ROOT, runAsync, tmpdir } from './helpers'
import { goprogNamed, type Running, startGoprog as startGoprogAt } from './goprog'

const EXAMPLE = path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')

test('paths: module cache, vendor, GOROOT/GOPATH src, others to the base name; relative kept', (t) => {
  t.is(redactPath('/home/alice/go/pkg/mod/github.com/x/y@v1.2.3/z.go'), '…/github.com/x/y@v1.2.3/z.go')
  t.is(redactPath('/usr/local/go/src/runtime/proc.go'), '…/runtime/proc.go')
  t.is(redactPath('/home/alice/go/src/github.com/x/y/z.go'), '…/github.com/x/y/z.go')
  t.is(redactPath('/home/alice/kubo/vendor/github.com/x/y/z.go'), '…/github.com/x/y/z.go')
  t.is(redactPath('/home/alice/secret-project/main.go'), '…/main.go')
  t.is(redactPath('C:\\Users\\bob\\proj\\main.go'), '…/main.go')
  t.is(redactPath('github.com/ipfs/kubo/core/node.go'), 'github.com/ipfs/kubo/core/node.go')
  t.is(scrubHomes('open /home/alice/.ipfs/config: denied; /root/x; C:\\Users\\bob\\y'), 'open ~/.ipfs/config: denied; ~/x; ~\\y')
})

test('address aliases: stable, equal stays equal, nearby offsets kept, pc offsets untouched', (t) => {
  const a = new AddressAliases()
  const text = 'f(0x3c3b7959d1d0, 0x3c3b7959d1e8?, {0x79171e, 0x6})\n\t/x.go:1 +0x1234567\ng(0x3c3b7959d1d0)'
  a.add(text)
  const out = a.rewrite(text)
  const hex = [...out.matchAll(/0x([0-9a-f]+)/g)].map((m) => m[1])
  t.false(out.includes('3c3b7959d1d0'))
  t.true(out.includes('+0x1234567'), 'pc offsets are not addresses')
  t.true(out.includes(', 0x6}'), 'short values are kept')
  t.is(hex[0], hex[hex.length - 1], 'the same address gets the same alias')
  t.is(BigInt('0x' + hex[1]) - BigInt('0x' + hex[0]), 24n, 'offsets inside a struct survive')
  t.is(a.rewrite(text), out, 'stable')
})

test('a redacted real dump names the same lock holders (mutex convoy and RWMutex)', async (t) => {
  const file = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
  const facts = JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.facts.json'), 'utf8'))
  const text = fs.readFileSync(file, 'utf8')
  const a = new AddressAliases()
  a.add(text)
  const r = redactStacksText(text, a)
  t.true(r.paths > 100)
  t.false(/^\t\//m.test(r.text), 'no absolute path is left in a frame line')
  t.false(r.text.includes(facts.mutex_convoy.mutex_addr.slice(2)))
  t.regex(r.text, /^\t…\/runtime\/sema\.go:\d+ \+0x[0-9a-f]+$/m)
  const before = await analyzeStacks(Buffer.from(text))
  const after = await analyzeStacks(Buffer.from(r.text))
  t.is(after.goroutines, before.goroutines)
  t.deepEqual(after.states, before.states)
  const holder = (rep: typeof before, waiter: number) => rep.contention.find((l) => l.waiters.includes(waiter))?.candidates[0]?.goroutine
  t.is(holder(before, facts.mutex_convoy.waiters[0]), facts.mutex_convoy.holder)
  t.is(holder(after, facts.mutex_convoy.waiters[0]), facts.mutex_convoy.holder)
  const lock = after.contention.find((l) => l.waiters.includes(facts.mutex_convoy.waiters[0]))!
  t.is(lock.lock, '0x' + a.rewrite(facts.mutex_convoy.mutex_addr).slice(2), 'the lock is named by its alias')
  const rw = (rep: typeof before) => rep.contention.filter((l) => l.waiters.includes(facts.rwmutex.writer)).flatMap((l) => l.candidates.map((c) => c.goroutine))
  t.true(rw(after).includes(facts.rwmutex.holder))
  t.deepEqual(rw(after), rw(before))
})

test('goroscope redact on the example bundle: manifest records it, nothing identifying is left, report still works', async (t) => {
  const out = path.join(tmpdir(), 'red.tar.gz')
  const r = cli(['redact', EXAMPLE, '-o', out])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /paths rewritten, \d+ addresses aliased/)
  const src = await readSource(out)
  const get = (n: string) => src.entries.find((e) => e.name === n)!.data
  const m = JSON.parse(get('manifest.json').toString()) as Manifest
  t.is(m.collectedOn, '(redacted)')
  t.is(m.target.api, '/ip4/127.0.0.1/tcp/34573', 'a loopback API address says nothing about the machine')
  t.is(m.node!.version, '0.43.1', 'versions are kept')
  t.is(m.redaction!.format, 'goroscope-redaction/1')
  t.deepEqual(m.redaction!.files.find((f) => f.file === 'vars.json')!.removed, ['cmdline'])
  for (const it of m.items.filter((i) => i.file)) {
    t.is(it.sha256, require('node:crypto').createHash('sha256').update(get(it.file!)).digest('hex'), `${it.file} checksum updated`)
  }
  const vars = JSON.parse(get('vars.json').toString())
  t.false('cmdline' in vars)
  t.truthy(vars.memstats.HeapAlloc)
  const sys = JSON.parse(get('sys.json').toString())
  t.is(sys.environment.IPFS_PATH, '(redacted)')
  t.deepEqual(sys.net.interface_addresses, [])
  t.is(sys.ipfs_version, '0.43.1')
  for (const p of ['cpu.pprof', 'heap.pprof', 'goroutines.pprof']) {
    const names = await native.profileFilenamesRaw(get(p))
    t.true(names.length > 0)
    t.deepEqual(names.filter((n) => n.startsWith('/')), [], `${p}: no absolute file names`)
  }
  const all = src.entries.map((e) => e.data.toString('latin1')).join('\n')
  t.false(all.includes('/tmp/goroscope-kubo-'), 'the repo path is gone')
  t.false(all.includes('"daemon"'), 'the command line is gone')
  const rep = cli(['report', out, '--json'])
  t.is(rep.status, 0, rep.stderr)
  const j = JSON.parse(rep.stdout) as NodeReport
  t.is(j.memory!.cmdline, null)
  t.truthy(j.profiles.cpu)
  t.true(j.goroutines!.total > 0)
})

test('redactEntries drops executables and unknown files, and without a manifest writes redaction.json', async (t) => {
  const entries = [
    { name: 'ipfs', data: Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(64)]) },
    { name: 'notes.txt', data: Buffer.from('\0\x01binary') },
    { name: 'goroutines.stacks', data: Buffer.from('goroutine 1 [running]:\nmain.main(0xc000123456)\n\t/home/alice/p/main.go:5 +0x1d\n') },
  ]
  const r = await redactEntries(entries)
  t.deepEqual(r.files.map((f) => f.name), ['redaction.json', 'goroutines.stacks'])
  t.is(r.files[1].data.toString(), 'goroutine 1 [running]:\nmain.main(0x1000456)\n\t…/main.go:5 +0x1d\n')
  t.deepEqual(r.redaction.files.filter((f) => f.action === 'removed').map((f) => f.file), ['ipfs', 'notes.txt'])
  // and a bundle with the binary item loses it, the manifest saying so
  const manifest = { format: 'goroscope-bundle/1', collectedOn: 'alice-laptop', target: { api: '/unix/home/alice/.ipfs/api.sock', from: '--api', kind: 'go' }, items: [{ name: 'binary', file: 'ipfs', status: 'ok', size: 68, sha256: 'x', durationMs: 1, request: 'read /home/alice/bin/ipfs', error: null, notes: [] }] }
  const r2 = await redactEntries([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) }, entries[0]])
  const m = r2.manifest!
  t.is(m.target.api, '(redacted)')
  t.is(m.items[0].file, null)
  t.is(m.items[0].status, 'skipped')
  t.is(m.items[0].request, null)
  t.deepEqual(r2.files.map((f) => f.name), ['manifest.json'])
  t.false(r2.files[0].data.toString().includes('alice'))
  await tarGzip(r2.files) // writable
})

test('redact: a missing input exits 2', (t) => {
  const r = cli(['redact', path.join(tmpdir(), 'nope.tar.gz'), '-o', path.join(tmpdir(), 'x.tar.gz')])
  t.is(r.status, 2, r.stderr)
})

// ---- the Go fixture program: collect --redact, then report names the same convoy holder

async function startGoprog(): Promise<Running & { bin: string }> {
  const bin = goprogNamed()
  return { ...(await startGoprogAt(bin, ['-many', '50', '-max-life', '3m', '-gc-every', '1s'])), bin }
}

test.serial('collect --redact --binary from the Go fixture: binary dropped, paths and addresses gone, same convoy holder', async (t) => {
  const { proc, base, bin } = await startGoprog()
  try {
    const facts = (await (await fetch(`${base}/fixture/facts`)).json()) as { mutex_convoy: { holder: number; waiters: number[]; mutex_addr: string; store_addr: string } }
    const out = path.join(tmpdir(), 'go-redacted.tar.gz')
    const r = await runAsync(['collect', '--api', base, '--seconds', '1', '-o', out, '--binary', '--redact', '--collectors', 'stacks,goroutines,cpu,vars'])
    t.is(r.status, 0, r.stderr + r.stdout)
    const src = await readSource(out)
    const names = src.entries.map((e) => e.name).sort()
    t.deepEqual(names, ['cpu.pprof', 'goroutines.pprof', 'goroutines.stacks', 'manifest.json', 'vars.json'], 'the executable is not in the bundle')
    const m = JSON.parse(src.entries.find((e) => e.name === 'manifest.json')!.data.toString()) as Manifest
    t.is(m.items.find((i) => i.name === 'binary')!.file, null)
    t.truthy(m.redaction!.files.find((f) => f.file === 'goprog' && f.action === 'removed'))
    const stacks = src.entries.find((e) => e.name === 'goroutines.stacks')!.data.toString()
    t.false(stacks.includes(facts.mutex_convoy.store_addr.slice(2)), 'heap addresses are aliased')
    t.false(/^\t\//m.test(stacks), 'no absolute paths in frames')
    t.false(src.entries.find((e) => e.name === 'vars.json')!.data.toString().includes(bin), 'no command line')
    const cpuNames = await native.profileFilenamesRaw(src.entries.find((e) => e.name === 'cpu.pprof')!.data)
    t.false(cpuNames.some((n) => n.startsWith('/')), cpuNames.join(', '))
    const rep = cli(['report', out, '--json'])
    t.is(rep.status, 0, rep.stderr)
    const j = JSON.parse(rep.stdout) as NodeReport
    const lock = j.goroutines!.contention.find((l) => l.waiters.includes(facts.mutex_convoy.waiters[0]))
    t.truthy(lock)
    t.is(lock!.candidates[0].goroutine, facts.mutex_convoy.holder, 'the same lock holder as in the unredacted dump')
    t.not(lock!.lock, facts.mutex_convoy.mutex_addr)
  } finally {
    proc.kill('SIGTERM')
  }
})
