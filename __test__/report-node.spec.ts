// `goroscope report` on bundles: hostile archives (escaping paths, links, huge entries, zip
// bombs, unknown files) are reported and skipped, never written and never fatal; the vars/sys
// commands; the HTML page in headless Chromium (renders, graphs pan and zoom, tables sort, no
// console error), on the committed example bundle collected from a real kubo daemon.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { readSource } from '../src/bundle/source'
import { tarPack } from '../src/bundle/tar-write'
import { analyzeSource, type NodeReport } from '../src/report-node/analyze'
import { analyzeVars } from '../src/report-node/vars'
import { chromiumAvailable, openPage } from './browser'
import { cli, FIXTURE_DUMPS, ROOT, tmpdir, walk } from './helpers'

const EXAMPLE = path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')
const DUMP = fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt'))
const PROFILES = path.join(ROOT, 'fixtures', 'profiles')

// ---- hand-made hostile archives

interface RawTarEntry {
  name: string
  data?: Buffer
  type?: string
  linkname?: string
  /** Size written in the header (defaults to data.length). */
  size?: number
}

/** A tar with whatever headers we ask for (the writer under test only writes regular files). */
async function rawTar(entries: RawTarEntry[], end = true): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0)
    const h = (await tarPack([{ name: e.name.length <= 100 ? e.name : 'x', data }])).subarray(0, 512)
    if (e.name.length > 100) throw new Error('keep names short')
    h.fill(0, 0, 100)
    h.write(e.name, 0, 'utf8')
    h[156] = (e.type ?? '0').charCodeAt(0)
    if (e.linkname) h.write(e.linkname, 157, 'utf8')
    if (e.size !== undefined) h.write(e.size.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
    h.fill(0x20, 148, 156)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
    parts.push(h)
    if (e.size === undefined) {
      parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512))
    } else parts.push(data)
  }
  if (end) parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

interface ZipEntry {
  name: string
  data: Buffer
  /** Store the data deflated (default) or not. */
  deflate?: boolean
  /** Lie about the uncompressed size. */
  declaredSize?: number
  /** Unix mode in the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number
}

function zip(entries: ZipEntry[]): Buffer {
  const local: Buffer[] = []
  const central: Buffer[] = []
  let off = 0
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8')
    const deflate = e.deflate ?? true
    const body = deflate ? zlib.deflateRawSync(e.data) : e.data
    const crc = zlib.crc32(e.data)
    const size = e.declaredSize ?? e.data.length
    const lh = Buffer.alloc(30)
    lh.writeUInt32LE(0x04034b50, 0)
    lh.writeUInt16LE(20, 4)
    lh.writeUInt16LE(0x800, 6)
    lh.writeUInt16LE(deflate ? 8 : 0, 8)
    lh.writeUInt32LE(crc, 14)
    lh.writeUInt32LE(body.length, 18)
    lh.writeUInt32LE(size, 22)
    lh.writeUInt16LE(name.length, 26)
    const ch = Buffer.alloc(46)
    ch.writeUInt32LE(0x02014b50, 0)
    ch.writeUInt16LE((3 << 8) | 20, 4)
    ch.writeUInt16LE(20, 6)
    ch.writeUInt16LE(0x800, 8)
    ch.writeUInt16LE(deflate ? 8 : 0, 10)
    ch.writeUInt32LE(crc, 16)
    ch.writeUInt32LE(body.length, 20)
    ch.writeUInt32LE(size, 24)
    ch.writeUInt16LE(name.length, 28)
    ch.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38)
    ch.writeUInt32LE(off, 42)
    local.push(lh, name, body)
    central.push(ch, name)
    off += 30 + name.length + body.length
  }
  const cd = Buffer.concat(central)
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(entries.length, 8)
  eocd.writeUInt16LE(entries.length, 10)
  eocd.writeUInt32LE(cd.length, 12)
  eocd.writeUInt32LE(off, 16)
  return Buffer.concat([...local, cd, eocd])
}

function reasons(r: NodeReport): Record<string, string> {
  return Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]))
}

/** Nothing named like the planted files appeared anywhere around the test directory. */
function assertNothingWritten(t: import('ava').ExecutionContext, dir: string, before: string[]) {
  const after = walk(dir)
  t.deepEqual(after, before, 'no file appeared in the working directory')
  for (const p of ['/tmp/goroscope-evil', '/etc/goroscope-evil', path.join(path.dirname(dir), 'goroscope-evil')]) t.false(fs.existsSync(p), p)
}

test('hostile tar.gz: escaping paths, links, devices, a huge entry, unknown files: reported, skipped, never fatal', async (t) => {
  const dir = tmpdir()
  const file = path.join(dir, 'hostile.tar.gz')
  const tar = await rawTar([
    { name: '../goroscope-evil', data: Buffer.from('x') },
    { name: '/tmp/goroscope-evil', data: Buffer.from('x') },
    { name: 'ok/../../goroscope-evil', data: Buffer.from('x') },
    { name: 'link', type: '2', linkname: '/etc/passwd' },
    { name: 'hard', type: '1', linkname: '/etc/shadow' },
    { name: 'dev', type: '3' },
    { name: 'goroutines.stacks', data: DUMP },
    { name: 'mystery.bin', data: Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 0, 0, 7]) },
    { name: 'notes.txt', data: Buffer.from('hello, nothing to see\n') },
    // a header claiming 6 GiB, followed by only 1 KiB: skipped by size, then the archive ends
    { name: 'huge.bin', size: 6 * 1024 * 1024 * 1024, data: Buffer.alloc(1024) },
  ], false)
  fs.writeFileSync(file, zlib.gzipSync(tar))
  const before = walk(dir)
  const r = cli(['report', file, '--json'], {})
  t.is(r.status, 0, r.stderr)
  const rep = JSON.parse(r.stdout) as NodeReport
  const why = reasons(rep)
  t.regex(why['../goroscope-evil'], /escapes/)
  t.regex(why['/tmp/goroscope-evil'], /absolute/)
  t.regex(why['ok/../../goroscope-evil'], /escapes/)
  t.regex(why['link'], /symbolic link/)
  t.regex(why['hard'], /hard link/)
  t.regex(why['dev'], /device/)
  t.regex(why['huge.bin'], /too large/)
  t.true(rep.goroutines!.total > 200, 'the good dump is still analysed')
  t.deepEqual(rep.files.map((f) => f.name).sort(), ['goroutines.stacks', 'mystery.bin', 'notes.txt'])
  t.is(rep.files.find((f) => f.name === 'mystery.bin')!.kind, 'unknown')
  t.true(rep.warnings.some((w) => w.startsWith('mystery.bin: not recognised')))
  const text = cli(['report', file])
  t.is(text.status, 0)
  t.regex(text.stdout, /! \.\.\/goroscope-evil .*escapes/)
  assertNothingWritten(t, dir, before)
})

test('a real oversized entry is skipped by the limit; the rest is read', async (t) => {
  const dir = tmpdir()
  const file = path.join(dir, 'big.tar')
  fs.writeFileSync(file, await tarPack([{ name: 'big.bin', data: Buffer.alloc(3 * 1024 * 1024, 7) }, { name: 'goroutines.stacks', data: DUMP }]))
  const { report } = await analyzeSource(file, { limits: { maxEntryBytes: 1024 * 1024 } })
  t.regex(reasons(report)['big.bin'], /too large/)
  t.true(report.goroutines!.total > 200)
  // a total-size bomb: the archive expands past the total limit
  const many = path.join(dir, 'many.tar.gz')
  fs.writeFileSync(many, zlib.gzipSync(await tarPack(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(512 * 1024) })))))
  const src = await readSource(many, { maxTotalBytes: 2 * 1024 * 1024 })
  t.true(src.entries.length < 20)
  t.true(src.skipped.some((s) => /expands past/.test(s.reason)))
})

test('zip bombs, escaping paths and links in a zip: reported and skipped, the rest reported', async (t) => {
  const dir = tmpdir()
  const file = path.join(dir, 'hostile.zip')
  const zeros = Buffer.alloc(24 * 1024 * 1024)
  fs.writeFileSync(
    file,
    zip([
      { name: 'goroutines.stacks', data: DUMP },
      { name: '../goroscope-evil', data: Buffer.from('x') },
      { name: '/tmp/goroscope-evil', data: Buffer.from('x') },
      { name: 'C:/goroscope-evil', data: Buffer.from('x') },
      { name: 'sym', data: Buffer.from('/etc/passwd'), deflate: false, mode: 0o120777 },
      // honest bomb: 24 MiB of zeros in ~24 KiB
      { name: 'bomb-honest', data: zeros },
      // lying bomb: says 1 KiB, inflates to 24 MiB
      { name: 'bomb-lying', data: zeros, declaredSize: 1024 },
      // says 4 GiB (never read)
      { name: 'bomb-declared', data: Buffer.from('tiny'), declaredSize: 0xfffffff0 },
      { name: 'vars.json', data: Buffer.from(JSON.stringify({ cmdline: ['x'], memstats: { HeapAlloc: 1000, NumGC: 0 } })) },
    ]),
  )
  t.true(fs.statSync(file).size < 1024 * 1024)
  const before = walk(dir)
  const { report } = await analyzeSource(file, { limits: { maxEntryBytes: 8 * 1024 * 1024 } })
  const why = reasons(report)
  t.regex(why['../goroscope-evil'], /escapes/)
  t.regex(why['/tmp/goroscope-evil'], /absolute/)
  t.regex(why['C:/goroscope-evil'], /absolute/)
  t.regex(why['sym'], /symbolic link/)
  t.regex(why['bomb-honest'], /too large/)
  t.regex(why['bomb-lying'], /inflates past|too many bytes|cannot read/)
  t.regex(why['bomb-declared'], /too large/)
  t.true(report.goroutines!.total > 200)
  t.is(report.memory!.heapAlloc, 1000)
  // and through the CLI with its default limits
  const r = cli(['report', file, '--json'])
  t.is(r.status, 0, r.stderr)
  const rep = JSON.parse(r.stdout) as NodeReport
  t.regex(reasons(rep)['bomb-declared'], /too large/)
  t.regex(reasons(rep)['bomb-lying'], /too many bytes|inflates past|cannot read/)
  assertNothingWritten(t, dir, before)
})

test('a directory of loose files: recognised by content whatever their names; symlinks skipped', async (t) => {
  const dir = tmpdir()
  fs.copyFileSync(path.join(PROFILES, 'go126-cpu.pb.gz'), path.join(dir, 'a'))
  fs.copyFileSync(path.join(PROFILES, 'go126-mutex-contended-debug2.txt'), path.join(dir, 'b'))
  fs.copyFileSync(path.join(PROFILES, 'go126-heap.pb.gz'), path.join(dir, 'c.txt'))
  fs.writeFileSync(path.join(dir, 'd.json'), zlib.gzipSync(DUMP))
  fs.writeFileSync(path.join(dir, 'e'), JSON.stringify({ runtime: { os: 'linux', arch: 'amd64', numcpu: 2, gomaxprocs: 2, numgoroutines: 5, version: 'go1.26.8' }, diskinfo: { free_space: 10, total_space: 5, fstype: '61267' }, memory: { virt: 1, swap: 0 }, net: { online: false }, ipfs_version: '0.43.1' }))
  fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd'))
  const { report } = await analyzeSource(dir)
  const kinds = Object.fromEntries(report.files.map((f) => [f.name, f.profileType ?? f.kind]))
  t.deepEqual(kinds, { a: 'cpu', b: 'mutex', 'c.txt': 'heap', 'd.json': 'stacks', e: 'sys' })
  t.regex(reasons(report)['passwd'], /symbolic link/)
  t.is(report.sys!.fsType, 'ext4 (61267)')
  t.is(report.node.version, '0.43.1')
  t.truthy(report.profiles.mutex)
  t.true(report.goroutines!.total > 200)
})

test('an old collect-profiles.sh tarball: ./-prefixed names, SVGs, pprof-saved raw profiles, text mutex', async (t) => {
  const dir = tmpdir()
  const file = path.join(dir, 'ipfs-profile-host-2021-01-01T00:00:00+0000.tar.gz')
  const svg = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg width="10" height="10"></svg>\n')
  fs.writeFileSync(
    file,
    zlib.gzipSync(
      await tarPack([
        { name: './goroutines.stacks', data: DUMP },
        { name: './cpu.svg', data: svg },
        { name: './pprof.ipfs.samples.cpu.001.pb.gz', data: fs.readFileSync(path.join(PROFILES, 'go126-cpu.pb.gz')) },
        { name: './mutex.txt', data: fs.readFileSync(path.join(PROFILES, 'go126-mutex-contended-debug2.txt')) },
        { name: './ipfs', data: Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(64)]) },
      ]),
    ),
  )
  const { report } = await analyzeSource(file)
  t.is(report.source.layout, 'collect-profiles')
  const kinds = Object.fromEntries(report.files.map((f) => [f.name, f.profileType ?? f.kind]))
  t.deepEqual(kinds, { 'goroutines.stacks': 'stacks', 'cpu.svg': 'svg', 'pprof.ipfs.samples.cpu.001.pb.gz': 'cpu', 'mutex.txt': 'mutex', ipfs: 'executable' })
  t.truthy(report.profiles.cpu)
  t.truthy(report.profiles.mutex)
  t.is(report.node.kind, 'go')
  t.deepEqual(report.skipped, [])
})

test('vars: the PauseNs ring is read from (NumGC+255)%256 backwards, oldest first', (t) => {
  const PauseNs = Array.from({ length: 256 }, (_, i) => i + 1)
  const PauseEnd = Array.from({ length: 256 }, (_, i) => (1_700_000_000_000 + i) * 1e6)
  const m = analyzeVars({ memstats: { NumGC: 300, PauseNs, PauseEnd, HeapAlloc: 10, HeapInuse: 15, Sys: 100 }, badger_gets_total: 3 })
  t.is(m.recentPauses.length, 256)
  // GC #300 is at index (300+255)%256 = 43 → value 44; the oldest kept (#45) at index 44 → 45
  t.is(m.recentPauses.at(-1)!.ns, 44)
  t.is(m.recentPauses[0].ns, 45)
  t.is(m.fragmentation, 5)
  t.true(m.badger.active)
  const few = analyzeVars({ memstats: { NumGC: 3, PauseNs: [5, 6, 7, ...Array(253).fill(0)] } })
  t.deepEqual(few.recentPauses.map((p) => p.ns), [5, 6, 7])
})

test('goroscope vars / sys on single files from the example bundle', async (t) => {
  const src = await readSource(EXAMPLE)
  const dir = tmpdir()
  for (const f of ['vars.json', 'sys.json']) fs.writeFileSync(path.join(dir, f), src.entries.find((e) => e.name === f)!.data)
  const v = cli(['vars', path.join(dir, 'vars.json')])
  t.is(v.status, 0, v.stderr)
  t.regex(v.stdout, /HeapAlloc .* HeapInuse .* Sys /)
  t.regex(v.stdout, /recent pauses/)
  const vj = JSON.parse(cli(['vars', path.join(dir, 'vars.json'), '--json']).stdout)
  t.true(vj.heapAlloc > 0)
  const s = cli(['sys', path.join(dir, 'sys.json')])
  t.is(s.status, 0, s.stderr)
  t.regex(s.stdout, /linux\/amd64/)
  t.is(cli(['sys', path.join(dir, 'vars.json')]).status, 2, 'vars is not diag sys')
})

test('the example bundle (collected from a real kubo daemon) is small and complete', async (t) => {
  t.true(fs.statSync(EXAMPLE).size < 1024 * 1024)
  const r = cli(['report', EXAMPLE])
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /kubo 0\.43\.1/)
  t.regex(r.stdout, /collection complete/)
  const j = JSON.parse(cli(['report', EXAMPLE, '--json']).stdout) as NodeReport
  t.true(j.profiles.cpu!.total > 0, 'the CPU window saw work')
})

// scripts/setup.sh installs Chromium; a missing browser is a failure, never a skip.
if (!chromiumAvailable()) throw new Error('report-node.spec: /usr/bin/chromium is missing: run scripts/setup.sh')
const browserTest = test.serial

browserTest('HTML report in headless Chromium: renders, graphs pan and zoom, tables sort, no console error', async (t) => {
  const dir = tmpdir()
  const html = path.join(dir, 'report.html')
  const r = cli(['report', EXAMPLE, '--html', html])
  t.is(r.status, 0, r.stderr)
  const page = fs.readFileSync(html, 'utf8')
  t.false(/<(script|link|img)[^>]+(src|href)=["']https?:/i.test(page), 'self-contained: no network references')
  await openPage(html, async (p, errors) => {
    t.regex((await p.textContent('h1')) ?? '', /kubo 0\.43\.1/)
    t.is(await p.locator('#gc-pauses rect').count() > 0, true, 'GC pause chart drawn')
    // sort the biggest-groups table by count, ascending then descending
    const counts = async () => (await p.locator('#groups tbody tr td:first-child').allTextContents()).map((s) => Number(s.replace(/,/g, '')))
    const th = p.locator('#groups th', { hasText: 'count' })
    await th.click()
    const desc = await counts()
    t.deepEqual(desc, [...desc].sort((a, b) => b - a))
    await th.click()
    const asc = await counts()
    t.deepEqual(asc, [...asc].sort((a, b) => a - b))
    // sort a text column
    await p.locator('#files th', { hasText: 'file' }).click()
    const names = await p.locator('#files tbody tr td:first-child').allTextContents()
    t.true(names.length > 5)
    // the CPU call graph: an SVG in its own frame; the wheel zooms and a drag pans it
    const frames = p.frames().filter((f) => f !== p.mainFrame())
    t.true(frames.length >= 2, `graph frames: ${frames.length}`)
    const graphFrame = p.frameLocator('iframe[title^="CPU call graph"]')
    const viewport = graphFrame.locator('#viewport')
    await viewport.waitFor()
    const t0 = await viewport.getAttribute('transform')
    // Put the pointer on the graph itself (hover scrolls it into view and waits for the page
    // to settle), so the wheel is delivered to the frame, not to the page around it.
    await viewport.hover()
    const box = (await p.locator('iframe[title^="CPU call graph"]').boundingBox())!
    await p.mouse.wheel(0, -300)
    await p.waitForTimeout(200)
    const t1 = await viewport.getAttribute('transform')
    t.not(t1, t0, 'wheel zooms')
    await p.mouse.down()
    await p.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 4 })
    await p.mouse.up()
    await p.waitForTimeout(100)
    t.not(await viewport.getAttribute('transform'), t1, 'drag pans')
    t.true((await p.frameLocator('iframe[title^="CPU flame graph"]').locator('body').textContent())!.length > 0, 'flame graph frame renders')
    t.deepEqual(errors, [])
  })
})
