// `goroscope weblist` (and `pprof -weblist`, the shell's `weblist`): one self-contained HTML page
// of the core's `-weblist` report, the source blocks `-list` prints (same numbers), drawn by the
// web UI's source view (src/pages/webui/source.ts, bundled as dist/pages/weblist.js). The data
// is embedded as JSON in a `<script type="application/json">` element with `<`, `>` and `&`
// escaped; the page writes every string with textContent. A Content-Security-Policy allows only
// the page's own script (by hash) and no requests.
import type { ProfileReport } from '../profile'
import { pageScript, pageStyle } from './assets'
import { pageHead, scriptSafeJson } from './flame'

/** Escape text for an HTML text node (the title). */
function text(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
}

/** The weblist page of `report` (kind `weblist`); `title` names the profile (default: its legend's `File:`). */
export function renderWebListHtml(report: ProfileReport, title = report.legend.find((l) => l.startsWith('File: '))?.slice(6) ?? 'profile'): string {
  const script = pageScript('weblist')
  const data = JSON.stringify({ title, legend: report.legend, total: report.total, blocks: report.list })
  return `${pageHead(script, text(title), pageStyle('weblist'))}
<body>
<header><strong id="title"></strong></header>
<pre id="legend"></pre>
<main id="view"></main>
<script type="application/json" id="weblist-data">${scriptSafeJson(data)}</script>
<script>${script}</script>
</body>
</html>
`
}
