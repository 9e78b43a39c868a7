// `ipfs diag sys` (POST /api/v0/diag/sys), with go-sysinfo's quirks spelled out: `total_space`
// is Bavail×Bsize and `free_space` is Bfree×Bsize (so free can exceed total), `fstype` is the
// statfs magic in decimal, `virt` is VmSize (not RSS), kB read as ×1000.

export interface SysReport {
  ipfsVersion: string
  ipfsCommit: string
  os: string
  arch: string
  goVersion: string
  numCPU: number
  gomaxprocs: number
  numGoroutines: number
  online: boolean | null
  interfaceAddresses: string[]
  diskTotal: number
  diskFree: number
  fsType: string
  /** VmSize from /proc/self/status (virtual size, not RSS). */
  memoryVirt: number
  memorySwap: number
  ipfsPath: string
}

const FS_MAGIC: Record<string, string> = {
  '61267': 'ext4',
  '1481003842': 'xfs',
  '2435016766': 'btrfs',
  '16914836': 'tmpfs',
  '2035054128': 'overlayfs',
  '4283649346': 'cifs',
  '26985': 'nfs',
  '1397703499': 'zfs',
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {})

export function analyzeSys(v: unknown): SysReport {
  const o = obj(v)
  if (!o.runtime) throw new Error('not an `ipfs diag sys` object (no runtime)')
  const rt = obj(o.runtime)
  const disk = obj(o.diskinfo)
  const mem = obj(o.memory)
  const net = obj(o.net)
  const fs = s(disk.fstype)
  return {
    ipfsVersion: s(o.ipfs_version),
    ipfsCommit: s(o.ipfs_commit),
    os: s(rt.os),
    arch: s(rt.arch),
    goVersion: s(rt.version),
    numCPU: n(rt.numcpu),
    gomaxprocs: n(rt.gomaxprocs),
    numGoroutines: n(rt.numgoroutines),
    online: typeof net.online === 'boolean' ? net.online : null,
    interfaceAddresses: Array.isArray(net.interface_addresses) ? net.interface_addresses.map(s) : [],
    diskTotal: n(disk.total_space),
    diskFree: n(disk.free_space),
    fsType: FS_MAGIC[fs] ? `${FS_MAGIC[fs]} (${fs})` : fs,
    memoryVirt: n(mem.virt),
    memorySwap: n(mem.swap),
    ipfsPath: s(obj(o.environment).IPFS_PATH),
  }
}

export interface MetricsReport {
  goGoroutines: number | null
  goThreads: number | null
  peers: number | null
  ipfsVersion: string | null
  families: number
}

/** A few numbers from the Prometheus text: goroutines, threads, peers, ipfs_info. */
export function analyzeMetrics(text: string): MetricsReport {
  const out: MetricsReport = { goGoroutines: null, goThreads: null, peers: null, ipfsVersion: null, families: 0 }
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) out.families++
    if (line.startsWith('#') || line.trim() === '') continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line)
    if (!m) continue
    const val = Number(m[3])
    if (m[1] === 'go_goroutines') out.goGoroutines = val
    else if (m[1] === 'go_threads') out.goThreads = val
    else if (m[1] === 'ipfs_p2p_peers_total') out.peers = (out.peers ?? 0) + val
    else if (m[1] === 'ipfs_info') out.ipfsVersion = /version="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? null
  }
  return out
}
