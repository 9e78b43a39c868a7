// Building DOM from data: every string from the profile goes in as text, never as markup.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  if (text !== undefined) e.textContent = text
  return e
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild)
}
