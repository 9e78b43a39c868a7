// The page's state is its URL: the view is the path's last part (`/ui/top`, or under a prefix
// as `goroscope serve` mounts a bundle's profile: `/bundle/0/profile/2/ui/top`), the refine
// options the query (pprof's names: f, i, h, s, sf, tf, si, …). Changing either pushes a new
// URL, so the back button and a copied link give the same view. Every path the page asks for is
// relative to its own, so the same page works under any prefix.

export const REFINE = ['f', 'i', 'h', 's', 'sf', 'tf', 'ti', 'ts', 'th', 'prunefrom'] as const
const NAMES: Record<string, string> = { f: 'focus', i: 'ignore', h: 'hide', s: 'show', sf: 'show_from', tf: 'tagfocus', ti: 'tagignore', ts: 'tagshow', th: 'taghide', prunefrom: 'prune_from', si: 'sample_index' }

export function optionName(param: string): string {
  return NAMES[param] ?? param
}

export function view(): string {
  return location.pathname.replace(/^.*\//, '') || 'flamegraph'
}

export function query(): URLSearchParams {
  return new URLSearchParams(location.search)
}

let onChange: () => void = () => {}

export function listen(f: () => void): void {
  onChange = f
  window.addEventListener('popstate', () => onChange())
}

/** Go to `v` with `q` (a new history entry) and render it. */
export function go(v: string, q: URLSearchParams): void {
  const s = q.toString()
  history.pushState(null, '', `${v}${s ? '?' + s : ''}`)
  onChange()
}

/** Add `re` to the refine parameter `p` as pprof's web UI does: alternatives joined with `|`. */
export function refine(p: string, re: string): void {
  const q = query()
  const old = q.get(p)
  q.set(p, old ? `${old}|${re}` : re)
  go(view(), q)
}

function quote(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A regexp that matches exactly the function name `name`. */
export function exact(name: string): string {
  return `^${quote(name)}$`
}

/** A regexp for peek, whose entries are lines: `name file:line` (pprof's peek view is by line). */
export function peekOf(name: string): string {
  return `^${quote(name)}( |$)`
}
