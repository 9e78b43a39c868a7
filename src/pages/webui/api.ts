// Asking the server for a view: one request per view at a time; a newer one aborts the older
// (the server then drops its work if it has not started).
let current: AbortController | null = null

export class HttpError extends Error {}

export async function getJSON<T>(path: string, q: URLSearchParams): Promise<T> {
  current?.abort()
  const ac = (current = new AbortController())
  const spinner = document.getElementById('spinner')!
  spinner.hidden = false
  try {
    return await fetchJSON<T>(path, q, ac.signal)
  } finally {
    if (current === ac) spinner.hidden = true
  }
}

/** `path?q` as JSON; an error answer is an HttpError with the server's text. */
export async function fetchJSON<T>(path: string, q: URLSearchParams, signal: AbortSignal): Promise<T> {
  const s = q.toString()
  const r = await fetch(`${path}${s ? '?' + s : ''}`, { signal })
  if (!r.ok) throw new HttpError((await r.text()).trim() || `${r.status} ${r.statusText}`)
  return (await r.json()) as T
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError'
}
