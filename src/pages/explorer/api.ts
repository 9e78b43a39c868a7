// The explorer's requests: one per route at a time (the summary, the groups and the graph load
// side by side), a newer one aborting the older (the server drops abandoned work). The spinner
// shows while any runs.
import { fetchJSON } from '../webui/api'

export { isAbort } from '../webui/api'

const current = new Map<string, AbortController>()

function spinner(): void {
  document.getElementById('spinner')!.hidden = current.size === 0
}

export async function getJSON<T>(path: string, q: URLSearchParams): Promise<T> {
  current.get(path)?.abort()
  const ac = new AbortController()
  current.set(path, ac)
  spinner()
  try {
    return await fetchJSON<T>(path, q, ac.signal)
  } finally {
    if (current.get(path) === ac) current.delete(path)
    spinner()
  }
}
