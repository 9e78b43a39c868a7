// Fetched sources are kept where pprof keeps them, so that they can be opened again without
// fetching: `$PPROF_TMPDIR`, else `~/pprof` (created), else /tmp; profiles as
// `pprof.<binary>.<sample types>.NNN.pb.gz` (NNN from 001, the first free), gzipped profile.proto.
// Goroutine dumps, which pprof cannot read, are kept beside them as
// `pprof.goroutine.debug2.NNN.txt` (`debug1` for the ?debug=1 text), as they were sent.
// A file is written whole under a hidden temporary name and then linked to its final name,
// which fails if the name is taken (then the next NNN is tried): a saved file is never partial
// and never replaces another.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** The directory fetched sources are saved in (pprof's setTmpDir). */
export function saveDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PPROF_TMPDIR) return env.PPROF_TMPDIR
  for (const dir of [path.join(env.HOME || os.homedir(), 'pprof'), os.tmpdir()]) {
    try {
      fs.mkdirSync(dir, { recursive: true })
      return dir
    } catch {
      /* pprof: "Could not use temp dir …", then the next */
    }
  }
  throw new Error('failed to identify temp dir')
}

/** Write `data` as `dir/prefixNNNsuffix`, the first NNN (001…9999) free; its path. */
export async function saveNew(dir: string, prefix: string, suffix: string, data: Buffer): Promise<string> {
  const tmp = path.join(dir, `.${prefix}${process.pid}.${Date.now()}.tmp`)
  await fs.promises.writeFile(tmp, data, { flag: 'wx' })
  try {
    for (let i = 1; i < 10000; i++) {
      const file = path.join(dir, `${prefix}${String(i).padStart(3, '0')}${suffix}`)
      try {
        await fs.promises.link(tmp, file)
        return file
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      }
    }
    throw new Error(`could not create file of the form ${prefix}001${suffix}`)
  } finally {
    await fs.promises.rm(tmp, { force: true })
  }
}

/** pprof's prefix: `pprof.`, the base name of the first mapping's file, each sample type. */
export function profilePrefix(mainBinary: string | undefined, sampleTypes: string[]): string {
  let p = 'pprof.'
  if (mainBinary) p += path.basename(mainBinary) + '.'
  for (const t of sampleTypes) p += t + '.'
  return p
}
