// `--binary`: the node's own executable, when it runs on this machine. On Linux the process is
// found through the socket its API listens on (/proc/net/{tcp,tcp6,unix} → /proc/PID/fd), and
// its executable read from /proc/PID/exe.
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Target } from './target'

function listeningInodes(port: number | null, socketPath: string | undefined): Set<string> {
  const out = new Set<string>()
  if (socketPath) {
    try {
      for (const line of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/)
        if (f.length >= 8 && f[7] === socketPath) out.add(f[6])
      }
    } catch {
      /* not linux */
    }
    return out
  }
  if (port === null) return out
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0')
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/)
        // local_address st=0A (LISTEN) … inode
        if (f.length >= 10 && f[1].endsWith(hex) && f[3] === '0A') out.add(f[9])
      }
    } catch {
      /* not linux */
    }
  }
  return out
}

/** The pid of the local process serving the target's API, or null. */
export function findServerPid(t: Target): number | null {
  const inodes = listeningInodes(t.port, t.socketPath)
  if (inodes.size === 0) return null
  let pids: string[]
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return null
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
        const m = /^socket:\[(\d+)\]$/.exec(link)
        if (m && inodes.has(m[1])) return Number(pid)
      } catch {
        /* gone */
      }
    }
  }
  return null
}

/** The executable of the local server: its bytes and its file name. */
export async function readServerBinary(t: Target, cmdline0?: string): Promise<{ name: string; data: Buffer; how: string }> {
  const pid = findServerPid(t)
  if (pid !== null) {
    const exe = `/proc/${pid}/exe`
    const real = fs.readlinkSync(exe).replace(/ \(deleted\)$/, '')
    return { name: path.basename(real), data: await fs.promises.readFile(exe), how: `pid ${pid}` }
  }
  if (cmdline0 && path.isAbsolute(cmdline0) && fs.existsSync(cmdline0)) {
    return { name: path.basename(cmdline0), data: await fs.promises.readFile(cmdline0), how: 'cmdline[0] from /debug/vars' }
  }
  throw new Error('the server process was not found on this machine (binary is only collected from a local node)')
}
