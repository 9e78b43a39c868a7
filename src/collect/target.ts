// Where the node's API is, found the way kubo finds it: `--api` as host:port, URL or multiaddr
// (`/ip4|ip6|dns|dns4|dns6/…/tcp/…`, `/unix/…`), else `$IPFS_PATH/api`, else `~/.ipfs/api`,
// else 127.0.0.1:5001.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { OptionsError } from './errors'

export interface Target {
  /** `http://host:port` (for a unix socket: `http://localhost`). */
  base: string
  /** A unix socket path, when the API listens on one. */
  socketPath?: string
  /** What the user would recognise: the multiaddr or URL as given or found. */
  display: string
  /** How it was found: `--api`, `$IPFS_PATH/api`, `~/.ipfs/api` or `default`. */
  from: string
  host: string
  port: number | null
}

export class TargetError extends OptionsError {}

function fromMultiaddr(ma: string, from: string): Target {
  const parts = ma.split('/').filter((s) => s !== '')
  const proto = parts[0]
  if (proto === 'unix') {
    const sock = '/' + parts.slice(1).join('/')
    return { base: 'http://localhost', socketPath: sock, display: ma, from, host: 'localhost', port: null }
  }
  if (!['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(proto) || parts[2] !== 'tcp' || !parts[1] || !parts[3]) {
    throw new TargetError(`cannot use API address ${ma}: expected /ip4|ip6|dns…/HOST/tcp/PORT or /unix/PATH`)
  }
  const port = Number(parts[3])
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TargetError(`bad port in ${ma}`)
  let host = parts[1]
  if (host === '0.0.0.0') host = '127.0.0.1'
  if (host === '::') host = '::1'
  const scheme = parts.includes('https') || parts.includes('tls') ? 'https' : 'http'
  const h = proto === 'ip6' ? `[${host}]` : host
  return { base: `${scheme}://${h}:${port}`, display: ma, from, host, port }
}

/** Parse one `--api` value (or the content of an api file). */
export function parseApi(value: string, from = '--api'): Target {
  const v = value.trim()
  if (v === '') throw new TargetError('empty API address')
  if (v.startsWith('/')) return fromMultiaddr(v, from)
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`)
  } catch {
    throw new TargetError(`cannot use API address ${v}: expected host:port, a URL or a multiaddr`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`unsupported scheme ${url.protocol} in ${v}`)
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 5001
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const h = url.hostname
  return { base: `${url.protocol}//${h}:${port}${url.pathname.replace(/\/+$/, '')}`, display: v, from, host, port }
}

/** Find the API: `--api`, `$IPFS_PATH/api`, `~/.ipfs/api`, or 127.0.0.1:5001. */
export function discover(api: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  if (api) return parseApi(api)
  const candidates: [string, string][] = []
  if (env.IPFS_PATH) candidates.push([path.join(env.IPFS_PATH, 'api'), '$IPFS_PATH/api'])
  candidates.push([path.join(env.HOME || os.homedir(), '.ipfs', 'api'), '~/.ipfs/api'])
  for (const [file, from] of candidates) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue
    }
    return parseApi(text, from)
  }
  return { ...parseApi('127.0.0.1:5001', 'default'), display: '/ip4/127.0.0.1/tcp/5001' }
}

export function isLocal(t: Target): boolean {
  return t.socketPath !== undefined || t.host === 'localhost' || t.host === '::1' || /^127\./.test(t.host)
}
