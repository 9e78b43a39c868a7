// The Disassembly view: the `disasm` report's text (pprof's web UI shows it as plain text),
// one element per line so that a routine header and each instruction with samples stand out.
// Every line reaches the DOM as text only.
import { el } from './dom'

/** An instruction line: `FLAT CUM ADDRESS: TEXT` with FLAT or CUM not `.`. */
const SAMPLED = /^\s*(\S+)\s+(\S+)\s+[0-9a-f]+: /

export function renderDisasm(main: HTMLElement, text: string): void {
  const pre = el('pre', 'disasm')
  for (const line of text.split('\n')) {
    if (line === '') continue
    let cls = 'asm'
    if (line.startsWith('ROUTINE ')) cls = 'asm routine'
    else {
      const m = SAMPLED.exec(line)
      if (m && (m[1] !== '.' || m[2] !== '.')) cls = 'asm sampled'
    }
    pre.appendChild(el('div', cls, line))
  }
  main.replaceChildren(pre)
}
