// The right-click menu of a function (a flame frame, a graph node, a top row): the refine
// actions on exactly that name, Peek and Disassemble.
import { el } from './dom'
import { disasmOf, exact, go, peekOf, query, refine } from './state'

const ACTIONS: Array<[string, string]> = [
  ['f', 'Focus'],
  ['i', 'Ignore'],
  ['h', 'Hide'],
  ['s', 'Show'],
  ['sf', 'Show from'],
]

const menu = (): HTMLUListElement => document.getElementById('menu') as HTMLUListElement

export function hideMenu(): void {
  menu().hidden = true
}

/** Open the menu for function `name` at the event's position. */
export function openMenu(e: MouseEvent, name: string, offset: { x: number; y: number } = { x: 0, y: 0 }): void {
  e.preventDefault()
  const m = menu()
  m.replaceChildren()
  m.appendChild(el('li', 'menu-title', name))
  const item = (label: string, act: () => void) => {
    const li = el('li', 'menu-item', label)
    li.setAttribute('role', 'menuitem')
    li.dataset.action = label
    li.addEventListener('click', () => {
      hideMenu()
      act()
    })
    m.appendChild(li)
  }
  for (const [p, label] of ACTIONS) item(label, () => refine(p, exact(name)))
  item('Peek', () => {
    const q = query()
    q.set('f', peekOf(name))
    go('peek', q)
  })
  item('Disassemble', () => {
    const q = query()
    q.set('f', disasmOf(name))
    go('disasm', q)
  })
  m.style.left = `${e.clientX + offset.x}px`
  m.style.top = `${e.clientY + offset.y}px`
  m.hidden = false
}

document.addEventListener('click', (e) => {
  if (!menu().contains(e.target as Node)) hideMenu()
})
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') hideMenu()
})
