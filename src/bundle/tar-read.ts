// A streaming, in-memory tar reader (ustar, pax and GNU long names) with limits: entries with
// unsafe paths, links, devices or sizes over the limit are skipped and reported; the data of a
// skipped entry is read past, never kept. Nothing is written to disk.
import { cleanPath, type Entry, type ReadLimits, type Skipped, unsafePath, mib } from './entry'

function str(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len)
  const z = s.indexOf(0)
  return s.subarray(0, z < 0 ? len : z).toString('utf8')
}

function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    // GNU base-256
    let n = 0
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]
    return n
  }
  const s = str(b, off, len).trim()
  return s === '' ? 0 : parseInt(s, 8)
}

function checksumOk(h: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]
  return num(h, 148, 8) === sum
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let i = 0
  while (i < data.length) {
    const sp = data.indexOf(0x20, i)
    if (sp < 0) break
    const len = parseInt(data.subarray(i, sp).toString(), 10)
    if (!(len > 0)) break
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8')
    const eq = rec.indexOf('=')
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1)
    i += len
  }
  return out
}

const TYPES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
}

/** Does this 512-byte block look like a tar header? */
export function looksLikeTar(b: Buffer): boolean {
  if (b.length < 512) return false
  return b.toString('latin1', 257, 262) === 'ustar' || checksumOk(b.subarray(0, 512))
}

export interface TarResult {
  entries: Entry[]
  skipped: Skipped[]
}

/** Read a tar stream (already decompressed) chunk by chunk. */
export async function readTar(chunks: AsyncIterable<Buffer>, limits: ReadLimits): Promise<TarResult> {
  const entries: Entry[] = []
  const skipped: Skipped[] = []
  let pending: Buffer = Buffer.alloc(0)
  let total = 0
  let seen = 0
  // current entry state
  let header: Buffer | null = null
  let want = 0 // data bytes left of the current entry
  let pad = 0 // padding bytes left after it
  let keep: Buffer[] | null = null // chunks of a kept entry
  let meta: { name: string; kind: 'file' | 'pax' | 'longname' | 'skip' | 'dir'; reason?: string } | null = null
  let nextName: string | null = null
  let paxName: string | null = null
  let zeros = 0
  let done = false

  const finish = () => {
    if (!meta) return
    const data = keep ? Buffer.concat(keep) : Buffer.alloc(0)
    if (meta.kind === 'file') entries.push({ name: meta.name, data })
    else if (meta.kind === 'pax') paxName = paxRecords(data).path ?? paxName
    else if (meta.kind === 'longname') nextName = str(data, 0, data.length)
    meta = null
    keep = null
  }

  const startEntry = (h: Buffer) => {
    seen++
    const type = String.fromCharCode(h[156] || 0x30)
    const size = num(h, 124, 12)
    let raw = str(h, 0, 100)
    const magic = h.toString('latin1', 257, 263)
    if (magic.startsWith('ustar')) {
      const prefix = str(h, 345, 155)
      if (prefix) raw = prefix + '/' + raw
    }
    if (type === 'x' || type === 'L') {
      meta = { name: raw, kind: type === 'x' ? 'pax' : 'longname' }
      keep = size <= 1024 * 1024 ? [] : null
    } else {
      const name = paxName ?? nextName ?? raw
      paxName = null
      nextName = null
      const bad = unsafePath(name)
      const clean = cleanPath(name)
      if (type === 'g' || type === 'K') meta = { name, kind: 'skip' }
      else if (type === '5') meta = { name, kind: 'dir' }
      else if (TYPES[type]) {
        meta = { name, kind: 'skip' }
        skipped.push({ name, reason: `${TYPES[type]} (links and devices are never followed)` })
      } else if (type !== '0' && type !== '7') {
        meta = { name, kind: 'skip' }
        skipped.push({ name, reason: `unsupported tar entry type '${type}'` })
      } else if (bad) {
        meta = { name, kind: 'skip' }
        skipped.push({ name, reason: bad })
      } else if (size > limits.maxEntryBytes) {
        meta = { name, kind: 'skip' }
        skipped.push({ name, reason: `entry too large: ${mib(size)} (limit ${mib(limits.maxEntryBytes)})` })
      } else if (seen > limits.maxEntries) {
        meta = { name, kind: 'skip' }
        skipped.push({ name, reason: `too many entries (limit ${limits.maxEntries})` })
      } else {
        meta = { name: clean, kind: 'file' }
      }
      keep = meta.kind === 'file' ? [] : null
    }
    want = size
    pad = (512 - (size % 512)) % 512
    if (want === 0 && pad === 0) finish()
  }

  for await (const chunk of chunks) {
    if (done) continue
    total += chunk.length
    if (total > limits.maxTotalBytes) {
      skipped.push({ name: '(archive)', reason: `archive expands past ${mib(limits.maxTotalBytes)}; the rest is not read` })
      done = true
      continue
    }
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    let off = 0
    while (!done) {
      if (want > 0) {
        const n = Math.min(want, pending.length - off)
        if (n === 0) break
        if (keep) keep.push(pending.subarray(off, off + n))
        off += n
        want -= n
        if (want === 0 && pad === 0) finish()
        continue
      }
      if (pad > 0) {
        const n = Math.min(pad, pending.length - off)
        if (n === 0) break
        off += n
        pad -= n
        if (pad === 0) finish()
        continue
      }
      if (pending.length - off < 512) break
      header = pending.subarray(off, off + 512)
      off += 512
      if (header.every((b) => b === 0)) {
        if (++zeros >= 2) done = true
        continue
      }
      zeros = 0
      const size = num(header, 124, 12)
      if (!checksumOk(header) || !Number.isSafeInteger(size) || size < 0) {
        // a size that is not an octal or base-256 count (NaN, negative, > 2^53) is as corrupt as a bad checksum
        const what = checksumOk(header) ? ` (size field ${JSON.stringify(str(header, 124, 12))})` : ''
        skipped.push({ name: '(archive)', reason: `corrupt tar header at byte ${total - (pending.length - off) - 512}${what}; the rest is not read` })
        done = true
        break
      }
      startEntry(header)
    }
    // keep only the unread tail; copy so kept subarrays don't pin huge buffers needlessly
    pending = off >= pending.length ? Buffer.alloc(0) : Buffer.from(pending.subarray(off))
    if (keep && keep.length > 64) keep = [Buffer.concat(keep)]
  }
  if (meta && (want > 0 || pad > 0)) {
    const m = meta as { name: string; kind: string }
    if (want === 0) finish()
    else if (m.kind === 'file') skipped.push({ name: m.name, reason: 'archive ends inside this entry (truncated)' })
    else skipped.push({ name: '(archive)', reason: `archive ends inside ${m.name} (truncated)` })
  } else if (!done && zeros < 2 && seen > 0) {
    skipped.push({ name: '(archive)', reason: 'archive ends without its end-of-archive marker (truncated?)' })
  }
  return { entries, skipped }
}
