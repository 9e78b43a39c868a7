// The `goroscope flame -o FILE.html` page (src/render/flame.ts writes it, with this script and
// its style inline): the web UI's flame graph component (./webui/flame.ts) over the core's flame
// report, which the page carries as base64 in a script element of type
// application/octet-stream. A sample-type selector, a search (regexp) that highlights and sums,
// a reset, and the path of the zoomed frame; no requests.
import './flame-page.css'

import { renderFlame, typeIndex } from './webui/flame'
import { decodeFlame } from './webui/flame-data'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function base64(s: string): Uint8Array {
  const bin = atob(s.trim())
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function main(): void {
  const d = decodeFlame(base64($('flame-data').textContent ?? ''))
  const hung = new Set(JSON.parse($('flame-hung').textContent ?? '[]') as string[])
  const pathEl = $('path')
  const view = renderFlame($('chart'), d, {
    tip: $('tip'),
    hung,
    onFocus: (p) => (pathEl.textContent = p.length < 2 ? 'Click a frame to zoom in; Esc or Reset zoom shows everything.' : p.join(' \u2192 ')),
  })
  const sel = $<HTMLSelectElement>('type')
  d.types.forEach((t, k) => {
    const o = document.createElement('option')
    o.value = String(k)
    o.textContent = t.type + (t.unit ? ` (${t.unit})` : '')
    sel.appendChild(o)
  })
  sel.value = String(typeIndex(d, undefined))
  $('type-label').hidden = d.types.length < 2
  const search = $<HTMLInputElement>('search')
  const matched = $('matched')
  const find = () => {
    const q = search.value
    let re: RegExp | null = null
    if (q) {
      try {
        re = new RegExp(q, 'i')
      } catch {
        re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
      }
    }
    const m = view.search(re)
    matched.textContent = m ? `Matched: ${m}` : ''
  }
  sel.addEventListener('change', () => {
    view.setType(Number(sel.value))
    find()
  })
  search.addEventListener('input', find)
  $('reset').addEventListener('click', () => view.reset())
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && e.target !== search) view.reset()
  })
  const title = d.title || 'profile'
  $('title').textContent = title
  document.title = `${title} \u2014 flame graph`
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main)
else main()
