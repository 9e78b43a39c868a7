// kubo's `API.Authorizations` secrets → the Authorization header it compares verbatim
// (`bearer:TOKEN` or a bare token → `Bearer TOKEN`; `basic:user:pass` → `Basic base64(user:pass)`;
// `basic:BASE64` → `Basic BASE64`). The secret itself is never logged or stored.
import { OptionsError } from './errors'

export class AuthError extends OptionsError {}

export function authHeader(secret: string | undefined): string | undefined {
  if (secret === undefined || secret === '') return undefined
  const i = secret.indexOf(':')
  const kind = i < 0 ? '' : secret.slice(0, i).toLowerCase()
  const rest = i < 0 ? secret : secret.slice(i + 1)
  if (kind === 'bearer') return `Bearer ${rest}`
  if (kind === 'basic') {
    if (rest.includes(':')) return `Basic ${Buffer.from(rest, 'utf8').toString('base64')}`
    return `Basic ${rest}`
  }
  if (i < 0) return `Bearer ${secret}`
  throw new AuthError('unknown --api-auth type: use bearer:TOKEN or basic:USER:PASS')
}

/** Replace every occurrence of the secret (and the header made from it) in a text. */
export function redactor(secret: string | undefined): (s: string) => string {
  const needles: string[] = []
  if (secret) {
    needles.push(secret)
    const i = secret.indexOf(':')
    if (i >= 0) needles.push(secret.slice(i + 1))
    try {
      const h = authHeader(secret)
      if (h) needles.push(h, h.slice(h.indexOf(' ') + 1))
    } catch {
      /* unknown type: nothing more to hide */
    }
  }
  const list = needles.filter((n) => n.length >= 3).sort((a, b) => b.length - a.length)
  return (s: string) => {
    let out = s
    for (const n of list) out = out.split(n).join('[redacted]')
    return out
  }
}
