// Writing outputs safely: a file is written beside its target and renamed over it only when
// complete, so a failure never leaves a partial file over a good one.
import * as fs from 'node:fs'
import * as path from 'node:path'

/** Write `data` (or its pieces, in order: they are never joined) to `file` atomically. */
export async function writeAtomic(file: string, data: string | Buffer | Iterable<string>): Promise<void> {
  // A device or pipe (`-o /dev/null`, `-o /dev/stdout`) is written in place: renaming over it
  // would replace the device node itself.
  const st = await fs.promises.stat(file).catch(() => null)
  if (st && !st.isFile()) {
    await fs.promises.writeFile(file, data)
    return
  }
  const dir = path.dirname(path.resolve(file))
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await fs.promises.writeFile(tmp, data)
    await fs.promises.rename(tmp, file)
  } catch (e) {
    await fs.promises.rm(tmp, { force: true })
    throw e
  }
}
