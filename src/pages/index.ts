// The index of `goroscope serve`: every input given on the command line, in order, each with its
// own views — a dump's goroutine explorer; a bundle's node summary, each profile it holds in the
// pprof web UI, and its dumps in the explorer. Links are by index (`bundle/N/`, `explorer?input=N`):
// no name from the input is ever part of a URL, and every name reaches the DOM as text only.
import './node/style.css'

import { fetchJSON } from './webui/api'
import { el } from './webui/dom'

interface Input {
  kind: 'dump' | 'bundle'
  name: string
  explorer: number[]
  goroutines?: number
  base?: string | null
  bundle?: number
  node?: { kind: string; version: string | null; golang: string | null }
  profiles?: { file: string; profileType: string }[]
  /** A bundle's dumps, `bundle:entry`, beside `explorer`. */
  dumps?: string[]
}

const $ = (id: string) => document.getElementById(id)!

function link(href: string, text: string, cls?: string): HTMLAnchorElement {
  const a = el('a', cls, text)
  a.href = href
  return a
}

function render(inputs: Input[]): void {
  const root = $('inputs')
  inputs.forEach((i, n) => {
    const box = root.appendChild(el('section', `input ${i.kind}`))
    box.dataset.input = String(n)
    box.appendChild(el('h2', undefined, `${n + 1}. ${i.name}`))
    const links = box.appendChild(el('div', 'links'))
    if (i.kind === 'dump') {
      box.insertBefore(el('p', 'what', `goroutine dump, ${i.goroutines} goroutines${i.base ? `, compared with ${i.base}` : ''}`), links)
      links.appendChild(link(`explorer?input=${i.explorer[0]}`, 'goroutine explorer', 'explorer'))
      return
    }
    const v = i.node!
    box.insertBefore(el('p', 'what', `bundle of a ${v.kind} node${v.version ? ` ${v.version}` : ''}${v.golang ? `, ${v.golang}` : ''}: ${i.profiles!.length} profiles, ${i.explorer.length} goroutine dumps`), links)
    links.appendChild(link(`bundle/${i.bundle}/`, 'node summary', 'summary'))
    i.explorer.forEach((d, k) => links.appendChild(link(`explorer?input=${d}`, `${i.dumps![k].slice(i.name.length + 1)} in the explorer`, 'explorer')))
    i.profiles!.forEach((p, k) => links.appendChild(link(`bundle/${i.bundle}/profile/${k}/ui/flamegraph`, `${p.file} (${p.profileType})`, 'profile')))
  })
}

fetchJSON<Input[]>('api/inputs', new URLSearchParams(), new AbortController().signal)
  .then(render)
  .catch((e: Error) => $('errors').appendChild(el('div', 'error', e.message)))
