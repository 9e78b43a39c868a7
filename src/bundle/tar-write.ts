// Writing our bundles: regular files only, in memory, through tar-stream's packer (ustar; pax
// headers for names ustar cannot hold), then gzipped.
import * as zlib from 'node:zlib'
import * as tar from 'tar-stream'

export interface TarFile {
  name: string
  data: Buffer
  /** Unix mode bits (default 0o644). */
  mode?: number
  mtime?: Date
}

/** The tar bytes of these files (uncompressed). */
export async function tarPack(files: TarFile[]): Promise<Buffer> {
  const pack = tar.pack()
  const out: Buffer[] = []
  const read = (async () => {
    for await (const c of pack) out.push(c as Buffer)
  })()
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: f.name, type: 'file', size: f.data.length, mode: f.mode ?? 0o644, mtime: f.mtime ?? new Date(), uid: 0, gid: 0 }, f.data, (e) => (e ? reject(e) : resolve())),
    )
  }
  pack.finalize()
  await read
  return Buffer.concat(out)
}

/** tar.gz of these files. */
export async function tarGzip(files: TarFile[]): Promise<Buffer> {
  const t = await tarPack(files)
  return new Promise((resolve, reject) => zlib.gzip(t, { level: 9 }, (e, b) => (e ? reject(e) : resolve(b))))
}
