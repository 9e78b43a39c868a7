// Opening a file in the user's browser for `goroscope web`: $BROWSER, else the platform's opener
// (xdg-open, open, start), found on PATH; never waits for it.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** The executable `cmd` found on PATH (with PATHEXT on Windows). */
export function onPath(cmd: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext)
      try {
        fs.accessSync(p, fs.constants.X_OK)
        if (fs.statSync(p).isFile()) return p
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/** Open `file` in the default browser; false when there is none to ask. */
export function openInBrowser(file: string): boolean {
  const candidates: [string, string[]][] = []
  if (process.env.BROWSER) candidates.push([process.env.BROWSER, [file]])
  if (process.platform === 'darwin') candidates.push(['open', [file]])
  else if (process.platform === 'win32') candidates.push(['cmd', ['/c', 'start', '""', file]])
  else candidates.push(['xdg-open', [file]])
  for (const [cmd, args] of candidates) {
    const exe = path.isAbsolute(cmd) ? cmd : onPath(cmd)
    if (!exe) continue
    const child = spawn(exe, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
    return true
  }
  return false
}
