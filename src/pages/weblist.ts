// The page `goroscope weblist` writes (src/render/weblist.ts): the core's `-weblist` blocks,
// embedded as JSON, drawn by the web UI's source view (webui/source.ts), the same renderer.
import './weblist.css'

import { renderSource, type SourceBlock } from './webui/source'

interface WebList {
  title: string
  legend: string[]
  total: number
  blocks: SourceBlock[]
}

function main(): void {
  const d = JSON.parse(document.getElementById('weblist-data')!.textContent!) as WebList
  document.getElementById('title')!.textContent = d.title
  document.getElementById('legend')!.textContent = d.legend.join('\n')
  renderSource(document.getElementById('view')!, d.blocks, d.total)
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main)
else main()
