// Reading a tar stream (already decompressed) in memory through tar-stream (ustar, pax, GNU
// long names, old v7 headers), with our limits and path checks around it: entries with unsafe
// paths, links, devices or sizes over the limit are skipped and reported, their data read past
// and never kept; a corrupt or truncated archive keeps what came before and says where it broke.
// Nothing is written to disk.
import * as tar from 'tar-stream'

import { cleanPath, type Entry, type ReadLimits, type Skipped, unsafePath, mib } from './entry'

/** tar-stream's names for the entry types we never follow. */
const NEVER: Record<string, string> = {
  link: 'hard link',
  symlink: 'symbolic link',
  'character-device': 'character device',
  'block-device': 'block device',
  fifo: 'FIFO',
}

function checksumOk(h: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]
  const field = h.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim()
  return field !== '' && parseInt(field, 8) === sum
}

/** Does this 512-byte block look like a tar header? (For sniffing; the reader is tar-stream.) */
export function looksLikeTar(b: Buffer): boolean {
  if (b.length < 512) return false
  return b.toString('latin1', 257, 262) === 'ustar' || checksumOk(b.subarray(0, 512))
}

export interface TarResult {
  entries: Entry[]
  skipped: Skipped[]
}

/** Where the extractor is in its input: the offset of the header it is reading (tar-stream keeps it). */
function headerOffset(x: tar.Extract): number | undefined {
  const o = (x as unknown as { _offset?: unknown })._offset
  return typeof o === 'number' ? o : undefined
}

/** The extractor took what it was given (or is gone). */
function drained(x: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      x.off('drain', done)
      x.off('close', done)
      resolve()
    }
    x.on('drain', done)
    x.on('close', done)
  })
}

/** Read a tar stream chunk by chunk. */
export async function readTar(chunks: AsyncIterable<Buffer>, limits: ReadLimits): Promise<TarResult> {
  const entries: Entry[] = []
  const skipped: Skipped[] = []
  // allowUnknownFormat: old v7 headers (no ustar magic) are read too, when their checksum holds
  const x = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0])
  let fed = 0 // bytes handed to the extractor
  let end = 0 // where the data (and padding) of the last entry ends: the next header is here
  let seen = 0
  let current: { name: string; kept: boolean } | null = null // the entry whose data is being read
  let broken = false // the archive itself failed: the rest is not read

  const corrupt = (at: number, what = '') => {
    broken = true
    skipped.push({ name: '(archive)', reason: `corrupt tar header at byte ${at}${what}; the rest is not read` })
  }

  x.on('entry', (h, stream, next) => {
    seen++
    const name = h.name
    const size = h.size ?? 0
    end = (h as { byteOffset?: number }).byteOffset ?? end + 512
    if (!Number.isSafeInteger(size)) {
      corrupt(end - 512, ' (size field is not a byte count)')
      x.destroy()
      return
    }
    if (h.type === 'directory') {
      // tar-stream reads no data for a directory (whatever its size field says) and never ends
      // its stream when that size is not 0: go on at once
      stream.resume()
      next()
      return
    }
    end += size + ((512 - (size % 512)) % 512)
    let keep = false
    const skip = (reason: string) => skipped.push({ name, reason })
    if (h.type && NEVER[h.type]) skip(`${NEVER[h.type]} (links and devices are never followed)`)
    else if (h.type !== 'file' && h.type !== 'contiguous-file') skip('unsupported tar entry type')
    else if (unsafePath(name)) skip(unsafePath(name)!)
    else if (size > limits.maxEntryBytes) skip(`entry too large: ${mib(size)} (limit ${mib(limits.maxEntryBytes)})`)
    else if (seen > limits.maxEntries) skip(`too many entries (limit ${limits.maxEntries})`)
    else keep = true
    const parts: Buffer[] = []
    current = { name, kept: keep }
    stream.on('data', (c) => {
      if (keep) parts.push(c as Buffer)
    })
    stream.on('end', () => {
      current = null
      if (keep) entries.push({ name: cleanPath(name), data: Buffer.concat(parts) })
      next()
    })
    stream.on('error', () => {}) // the extractor's own error says what broke
  })

  const closed = new Promise<void>((resolve) => {
    x.on('error', (e: Error) => {
      if (broken) return
      if (e.message === 'Unexpected end of data') {
        broken = true
        if (current) skipped.push(current.kept ? { name: current.name, reason: 'archive ends inside this entry (truncated)' } : { name: '(archive)', reason: `archive ends inside ${current.name} (truncated)` })
        else if (fed - end >= 512) skipped.push({ name: '(archive)', reason: 'archive ends inside a pax or GNU long-name header (truncated)' })
        else if (fed > end) skipped.push({ name: '(archive)', reason: 'archive ends without its end-of-archive marker (truncated?)' })
        // else only the last entry's padding is missing: its data is whole
      } else corrupt(headerOffset(x) ?? end, e.message === 'Invalid header' ? ' (size field is not a byte count)' : '')
    })
    x.on('close', resolve)
  })

  for await (const chunk of chunks) {
    if (broken || x.destroyed) break
    fed += chunk.length
    if (fed > limits.maxTotalBytes) {
      skipped.push({ name: '(archive)', reason: `archive expands past ${mib(limits.maxTotalBytes)}; the rest is not read` })
      broken = true
      break
    }
    if (!x.write(chunk)) await drained(x)
  }
  if (broken) x.destroy()
  else (x as unknown as { end(): void }).end()
  await closed
  if (!broken && seen > 0 && fed - end < 1024) skipped.push({ name: '(archive)', reason: 'archive ends without its end-of-archive marker (truncated?)' })
  return { entries, skipped }
}
