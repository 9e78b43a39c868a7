// One group of identical stacks (or a leak) as DOM: count, state, wait, its first ids (the
// server sends at most 50, and says how many more), labels, frames leaf first, created by.
// Every string from the dump goes in as text.
import { el } from '../webui/dom'

export interface Frame {
  function: string
  file: string
  line: number
}

export interface Group {
  count: number
  state: string
  class: string
  waitMinutes: { min: number; max: number } | null
  ids: number[]
  idsMore: number
  frames: Frame[]
  createdBy: Frame | null
  interesting: number | null
  labels: { labels: Record<string, string>; count: number }[]
  leaked: number
}

function wait(g: Group): string {
  const w = g.waitMinutes
  if (!w) return ''
  return w.min === w.max ? `, ${w.max} minutes` : `, ${w.min}–${w.max} minutes`
}

export function renderGroup(g: Group): HTMLElement {
  const d = el('div', 'group')
  d.dataset.count = String(g.count)
  d.appendChild(el('div', 'head', `${g.count} goroutine${g.count === 1 ? '' : 's'} [${g.state}]${wait(g)}${g.leaked ? ` — ${g.leaked} leaked` : ''}`))
  if (g.ids.length) d.appendChild(el('div', 'ids', `ids ${g.ids.join(' ')}${g.idsMore ? ` … and ${g.idsMore} more` : ''}`))
  if (g.labels.length) {
    const sets = g.labels.map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ')}} ×${s.count}`)
    d.appendChild(el('div', 'labels', `labels ${sets.join('  ')}`))
  }
  const pre = el('pre')
  g.frames.forEach((f, i) => {
    pre.appendChild(el('span', i === g.interesting ? 'fn interesting' : 'fn', f.function))
    pre.appendChild(document.createTextNode(`\n    ${f.file}:${f.line}\n`))
  })
  if (g.createdBy) pre.appendChild(document.createTextNode(`created by ${g.createdBy.function}\n    ${g.createdBy.file}:${g.createdBy.line}\n`))
  d.appendChild(pre)
  return d
}
