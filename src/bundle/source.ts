// Open whatever `goroscope report` is given: a tar (gzip or not: our bundles, old
// collect-profiles.sh tarballs), a zip (`ipfs diag profile`), a directory of loose files, or one
// loose file. Everything is read into memory; nothing is extracted.
//
// Layer: src/bundle is the bottom of the TypeScript side above the Node API (stacks, profile,
// native, io): bundle files (manifest, classification by content, reading, writing, redaction).
// collect/ and report-node/ stand on it, render/ on those, cli/ on top; nothing imports upwards
// (__test__/imports.spec.ts).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import * as zlib from 'node:zlib'

import { DEFAULT_LIMITS, type Entry, type ReadLimits, type Skipped, type SourceContents, mib } from './entry'
import { looksLikeTar, readTar } from './tar-read'

async function head(file: string, n: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r')
  try {
    const b = Buffer.alloc(n)
    const { bytesRead } = await fh.read(b, 0, n, 0)
    return b.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** The first `n` decompressed bytes of a gzip file (or null if it is not valid gzip). */
async function gunzipHead(file: string, n: number): Promise<Buffer | null> {
  const parts: Buffer[] = []
  let got = 0
  // destroying the gunzip does not close the file stream piped into it: both are destroyed
  const raw = fs.createReadStream(file)
  const gz = raw.pipe(zlib.createGunzip())
  try {
    for await (const c of gz) {
      parts.push(c as Buffer)
      got += (c as Buffer).length
      if (got >= n) break
    }
  } catch {
    if (got === 0) return null
  } finally {
    gz.destroy()
    raw.destroy()
  }
  return Buffer.concat(parts).subarray(0, n)
}

async function* guarded(stream: Readable, skipped: Skipped[]): AsyncGenerator<Buffer> {
  try {
    for await (const c of stream) yield c as Buffer
  } catch (e) {
    skipped.push({ name: '(archive)', reason: `cannot decompress: ${(e as Error).message}; the rest is not read` })
  }
}

async function readDir(root: string, limits: ReadLimits): Promise<SourceContents> {
  const entries: Entry[] = []
  const skipped: Skipped[] = []
  let total = 0
  const walk = async (dir: string, depth: number) => {
    const list = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
    for (const d of list) {
      const full = path.join(dir, d.name)
      const rel = path.relative(root, full).split(path.sep).join('/')
      if (entries.length + skipped.length >= limits.maxEntries) {
        skipped.push({ name: rel, reason: `too many files (limit ${limits.maxEntries})` })
        return
      }
      const st = await fs.promises.lstat(full)
      if (st.isSymbolicLink()) skipped.push({ name: rel, reason: 'symbolic link (links are never followed)' })
      else if (st.isDirectory()) {
        if (depth >= 8) skipped.push({ name: rel, reason: 'directory nested too deep' })
        else await walk(full, depth + 1)
      } else if (!st.isFile()) skipped.push({ name: rel, reason: 'not a regular file' })
      else if (st.size > limits.maxEntryBytes) skipped.push({ name: rel, reason: `file too large: ${mib(st.size)} (limit ${mib(limits.maxEntryBytes)})` })
      else if (total + st.size > limits.maxTotalBytes) skipped.push({ name: rel, reason: `directory larger than ${mib(limits.maxTotalBytes)}` })
      else {
        total += st.size
        entries.push({ name: rel, data: await fs.promises.readFile(full) })
      }
    }
  }
  await walk(root, 0)
  return { container: 'dir', entries, skipped }
}

/** Read a bundle, zip, directory or single file into memory, safely. */
export async function readSource(file: string, limits: Partial<ReadLimits> = {}): Promise<SourceContents> {
  const lim: ReadLimits = { ...DEFAULT_LIMITS, ...limits }
  const st = await fs.promises.stat(file)
  if (st.isDirectory()) return readDir(file, lim)
  const h = await head(file, 512)
  if (h.length >= 4 && h.readUInt32LE(0) === 0x04034b50) {
    // yauzl loads only for a zip
    const { readZip } = require('./zip-read') as typeof import('./zip-read')
    const r = await readZip(file, lim)
    return { container: 'zip', ...r }
  }
  if (h.length >= 4 && h.readUInt32LE(0) === 0x06054b50) return { container: 'zip', entries: [], skipped: [{ name: '(archive)', reason: 'empty zip' }] }
  const gz = h.length >= 2 && h[0] === 0x1f && h[1] === 0x8b
  const inner = gz ? await gunzipHead(file, 512) : h
  if (inner && looksLikeTar(inner)) {
    const skipped: Skipped[] = []
    const raw = fs.createReadStream(file)
    const stream = gz ? raw.pipe(zlib.createGunzip()) : raw
    const r = await readTar(guarded(stream, skipped), lim).finally(() => {
      stream.destroy()
      raw.destroy() // a gunzip error unpipes the file stream but leaves it open
    })
    return { container: 'tar', entries: r.entries, skipped: [...r.skipped, ...skipped] }
  }
  // one loose file: the classifier decides what it is (gzip included)
  const name = path.basename(file)
  if (st.size > lim.maxEntryBytes) return { container: 'file', entries: [], skipped: [{ name, reason: `file too large: ${mib(st.size)}` }] }
  return { container: 'file', entries: [{ name, data: await fs.promises.readFile(file) }], skipped: [] }
}
