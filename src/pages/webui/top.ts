// The top view: pprof's top table (its labels exactly as the CLI prints them), sortable by any
// column; right-click a name for the refine menu, click it to peek.
import { el } from './dom'
import { openMenu } from './menu'
import { go, peekOf, query } from './state'

export interface TopRow {
  flat: number
  flatLabel: string
  flatPctLabel: string
  sumPctLabel: string
  cum: number
  cumLabel: string
  cumPctLabel: string
  name: string
  inline: string
}

type Col = { head: string; cell: (r: TopRow) => string; key: (r: TopRow) => number | string }

const COLS: Col[] = [
  { head: 'Flat', cell: (r) => r.flatLabel, key: (r) => -r.flat },
  { head: 'Flat%', cell: (r) => r.flatPctLabel, key: (r) => -r.flat },
  { head: 'Sum%', cell: (r) => r.sumPctLabel, key: () => 0 },
  { head: 'Cum', cell: (r) => r.cumLabel, key: (r) => -r.cum },
  { head: 'Cum%', cell: (r) => r.cumPctLabel, key: (r) => -r.cum },
  { head: 'Name', cell: (r) => r.name + (r.inline === 'inline' ? ' (inline)' : r.inline === 'partialInline' ? ' (partial-inline)' : ''), key: (r) => r.name },
]

export function renderTop(root: HTMLElement, rows: TopRow[]): void {
  const table = el('table', 'top')
  const thead = el('thead')
  const tr = el('tr')
  const body = el('tbody')
  let order = rows.map((_, i) => i)
  const fill = () => {
    body.replaceChildren()
    for (const i of order) {
      const r = rows[i]
      const row = el('tr')
      COLS.forEach((c, k) => row.appendChild(el('td', k === 5 ? 'name' : 'num', c.cell(r))))
      row.addEventListener('contextmenu', (e) => openMenu(e, r.name))
      row.lastElementChild!.addEventListener('click', () => {
        const q = query()
        q.set('f', peekOf(r.name))
        go('peek', q)
      })
      body.appendChild(row)
    }
  }
  COLS.forEach((c, k) => {
    const th = el('th', undefined, c.head)
    th.title = 'Sort by this column'
    th.addEventListener('click', () => {
      // Sum% is the running share in pprof's order: sorting by it restores that order
      order = rows.map((_, i) => i)
      if (k !== 2) order.sort((a, b) => {
        const x = c.key(rows[a])
        const y = c.key(rows[b])
        return x < y ? -1 : x > y ? 1 : a - b
      })
      table.dataset.sort = c.head
      fill()
    })
    tr.appendChild(th)
  })
  thead.appendChild(tr)
  table.append(thead, body)
  fill()
  root.replaceChildren(table)
}
