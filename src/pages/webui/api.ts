// Asking the server for a view: one request per view at a time; a newer one aborts the older
// (the server then drops its work if it has not started).
let current: AbortController | null = null

export class HttpError extends Error {}

async function latest<T>(path: string, q: URLSearchParams, read: (r: Response) => Promise<T>): Promise<T> {
  current?.abort()
  const ac = (current = new AbortController())
  const spinner = document.getElementById('spinner')!
  spinner.hidden = false
  try {
    return await read(await answer(path, q, ac.signal))
  } finally {
    if (current === ac) spinner.hidden = true
  }
}

export function getJSON<T>(path: string, q: URLSearchParams): Promise<T> {
  return latest(path, q, async (r) => (await r.json()) as T)
}

/** A binary view (the flame report): its bytes. */
export function getBytes(path: string, q: URLSearchParams): Promise<ArrayBuffer> {
  return latest(path, q, (r) => r.arrayBuffer())
}

/** `path?q` as JSON; an error answer is an HttpError with the server's text. */
export async function fetchJSON<T>(path: string, q: URLSearchParams, signal: AbortSignal): Promise<T> {
  return (await (await answer(path, q, signal)).json()) as T
}

async function answer(path: string, q: URLSearchParams, signal: AbortSignal): Promise<Response> {
  const s = q.toString()
  const r = await fetch(`${path}${s ? '?' + s : ''}`, { signal })
  if (!r.ok) throw new HttpError((await r.text()).trim() || `${r.status} ${r.statusText}`)
  return r
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError'
}
