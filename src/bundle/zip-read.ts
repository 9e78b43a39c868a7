// Reading a zip (kubo's `ipfs diag profile` output) in memory through yauzl, with limits: unsafe
// paths, links, encrypted entries and entries over the size limit (by their declared size, and
// again while inflating, for zip bombs that lie about it) are skipped and reported.
import * as yauzl from 'yauzl'

import { cleanPath, type Entry, type ReadLimits, type Skipped, unsafePath, mib } from './entry'

const S_IFMT = 0o170000
const S_IFLNK = 0o120000
const S_IFREG = 0o100000

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (e, z) => (e || !z ? reject(e) : resolve(z))),
  )
}

function decodeName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown as Buffer
  return Buffer.isBuffer(raw) ? raw.toString(e.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1') : String(raw)
}

function readEntry(z: yauzl.ZipFile, e: yauzl.Entry, max: number): Promise<Buffer | string> {
  return new Promise((resolve) => {
    z.openReadStream(e, (err, stream) => {
      if (err || !stream) return resolve(`cannot read: ${err?.message ?? 'no stream'}`)
      const parts: Buffer[] = []
      let n = 0
      let over = false
      stream.on('data', (c: Buffer) => {
        n += c.length
        if (n > max) {
          over = true
          stream.destroy()
          resolve(`inflates past ${mib(max)} (zip bomb?); skipped`)
          return
        }
        parts.push(c)
      })
      stream.on('error', (x) => {
        if (!over) resolve(`cannot read: ${x.message}`)
      })
      stream.on('end', () => {
        if (!over) resolve(Buffer.concat(parts))
      })
    })
  })
}

export async function readZip(file: string, limits: ReadLimits): Promise<{ entries: Entry[]; skipped: Skipped[] }> {
  const entries: Entry[] = []
  const skipped: Skipped[] = []
  const z = await openZip(file)
  let total = 0
  let seen = 0
  await new Promise<void>((resolve) => {
    let finished = false
    const end = () => {
      if (!finished) {
        finished = true
        resolve()
      }
    }
    z.on('end', end)
    z.on('close', end)
    z.on('error', (err: Error) => {
      skipped.push({ name: '(archive)', reason: `zip structure error: ${err.message}; the rest is not read` })
      end()
    })
    z.on('entry', async (e: yauzl.Entry) => {
      const name = decodeName(e)
      const skip = (reason: string) => {
        skipped.push({ name, reason })
        z.readEntry()
      }
      seen++
      const mode = (e.externalFileAttributes >>> 16) & 0xffff
      const bad = unsafePath(name)
      if (name.endsWith('/')) return z.readEntry()
      if (seen > limits.maxEntries) return skip(`too many entries (limit ${limits.maxEntries})`)
      if (bad) return skip(bad)
      if ((mode & S_IFMT) === S_IFLNK) return skip('symbolic link (links are never followed)')
      if (mode && (mode & S_IFMT) !== 0 && (mode & S_IFMT) !== S_IFREG) return skip('not a regular file')
      if (e.isEncrypted()) return skip('encrypted')
      if (e.uncompressedSize > limits.maxEntryBytes) return skip(`entry too large: ${mib(e.uncompressedSize)} (limit ${mib(limits.maxEntryBytes)})`)
      if (total + e.uncompressedSize > limits.maxTotalBytes) return skip(`archive expands past ${mib(limits.maxTotalBytes)}`)
      const data = await readEntry(z, e, Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total))
      if (typeof data === 'string') return skip(data)
      total += data.length
      entries.push({ name: cleanPath(name), data })
      z.readEntry()
    })
    z.readEntry()
  })
  return { entries, skipped }
}
