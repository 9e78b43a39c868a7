// The source view, one renderer for `goroscope weblist` (the standalone page, src/pages/weblist.ts)
// and the web UI's Source view: per function and file, the core's `-list` blocks (the same
// numbers `goroscope list` prints), each source line with its flat and cum values, hot lines
// shaded by their share of the function's cum. Every name and source text reaches the DOM as
// text only.
//
// A line that carries instructions (the core joined the binary's disassembly to it, pprof's
// weblist) expands on click into them, each with its address, flat, cum and text; a click again
// folds it. `expand` is the hook that builds what is shown (default: those instructions).
import './source.css'

import { el } from './dom'

/** A `-disasm` instruction as the page data carry it (`address` in hex). */
export interface AsmInstruction {
  address: string
  text: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
}

/** A `-list` line as the server and the page data carry it (`*Label`: pprof's strings). */
export interface SourceLine {
  line: number
  text: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
  /** The binary's instructions on this line (absent or empty: source only). */
  instructions?: AsmInstruction[]
}

/** A `-list` block: a function's lines in one source file. */
export interface SourceBlock {
  name: string
  file: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
  cumPct: number
  error: string
  lines: SourceLine[]
}

export interface SourceOptions {
  /** Right-click on a function's name (the web UI's refine menu). */
  onName?: (e: MouseEvent, name: string) => void
  /** What a click on a line shows below it (default: its instructions, when it has any). */
  expand?: (block: SourceBlock, line: SourceLine) => Promise<Node | null>
}

/** The instructions of `l` as a table (address, flat, cum, text), or null when it has none. */
function instructionTable(l: SourceLine): HTMLTableElement | null {
  const insts = l.instructions ?? []
  if (!insts.length) return null
  const t = el('table', 'src-insts')
  for (const i of insts) {
    const tr = el('tr', i.flat || i.cum ? 'src-inst hot' : 'src-inst')
    tr.dataset.address = i.address
    tr.append(el('td', 'num flat', i.flatLabel), el('td', 'num cum', i.cumLabel), el('td', 'addr', i.address), el('td', 'code', i.text))
    t.appendChild(tr)
  }
  return t
}

const defaultExpand = (_b: SourceBlock, l: SourceLine): Promise<Node | null> => Promise.resolve(instructionTable(l))

function heat(v: number, total: number): string {
  if (!v || !total) return ''
  const f = Math.min(1, Math.abs(v) / Math.abs(total))
  return `rgba(230, 80, 40, ${(0.08 + 0.5 * f).toFixed(3)})`
}

function lineRow(b: SourceBlock, l: SourceLine, o: SourceOptions): HTMLTableRowElement {
  const tr = el('tr', l.flat || l.cum ? 'src-line hot' : 'src-line')
  tr.dataset.line = String(l.line)
  tr.append(el('td', 'num flat', l.flatLabel), el('td', 'num cum', l.cumLabel), el('td', 'lineno', String(l.line)), el('td', 'code', l.text))
  const bg = heat(l.cum, b.cum)
  if (bg) tr.style.background = bg
  const expand = o.expand ?? (l.instructions?.length ? defaultExpand : undefined)
  if (expand) {
    tr.classList.add('expandable')
    let open: HTMLTableRowElement | null = null
    tr.addEventListener('click', () => {
      if (open) {
        open.remove()
        open = null
        return
      }
      void expand(b, l).then((n) => {
        if (!n || open) return
        open = el('tr', 'src-asm')
        const td = el('td')
        td.colSpan = 4
        td.appendChild(n)
        open.appendChild(td)
        tr.after(open)
      })
    })
  }
  return tr
}

function block(b: SourceBlock, total: number, o: SourceOptions): HTMLElement {
  const s = el('section', 'src-fn')
  const name = el('h2', 'src-name', b.name)
  if (o.onName) name.addEventListener('contextmenu', (e) => o.onName!(e, b.name))
  s.appendChild(name)
  if (b.file) s.appendChild(el('div', 'src-file', b.file))
  const sum = el('div', 'src-total')
  const pct = total ? `${((100 * b.cum) / total).toFixed(2)}%` : '-'
  sum.append(el('span', 'num flat', b.flatLabel), ' ', el('span', 'num cum', b.cumLabel), ` (flat, cum) ${pct} of Total`)
  s.appendChild(sum)
  if (b.error) s.appendChild(el('div', 'src-error', b.error))
  if (b.lines.length) {
    const table = el('table', 'src-lines')
    const head = el('tr')
    for (const h of ['flat', 'cum', 'line', 'source']) head.appendChild(el('th', undefined, h))
    const thead = el('thead')
    thead.appendChild(head)
    const body = el('tbody')
    for (const l of b.lines) body.appendChild(lineRow(b, l, o))
    table.append(thead, body)
    s.appendChild(table)
  }
  return s
}

/** Render `blocks` (the report's total `total`, for the percentages) into `root`. */
export function renderSource(root: HTMLElement, blocks: SourceBlock[], total: number, o: SourceOptions = {}): void {
  const all = el('div', 'source')
  for (const b of blocks) all.appendChild(block(b, total, o))
  if (!blocks.length) all.appendChild(el('p', 'missing', 'No functions match.'))
  root.replaceChildren(all)
}
