// `goroscope flame`: one self-contained HTML file (inline CSS and JavaScript, no network) with
// an interactive flame graph (icicle layout, root on top) of a profile or goroutine dump. The
// page is the web UI's flame graph component (src/pages/flame.ts, bundled into dist/pages), so
// there is one renderer; the data is the core's flame report bytes
// (crates/goroscope-core/src/flame.rs), base64 in a script element, and the names of `hung`
// functions as JSON with `<`, `>` and `&` escaped. The page writes every input string with
// textContent, never as markup. A Content-Security-Policy allows only this page's own script
// (by hash) and no requests.
import { createHash } from 'node:crypto'

import { pageScript, pageStyle } from './assets'

/** Escape JSON so that it cannot end the `<script>` element that holds it. */
export function scriptSafeJson(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/**
 * The head of a self-contained page whose only script is `script` (allowed by hash, no
 * requests): charset, Content-Security-Policy, viewport, `title` (already HTML text) and `style`.
 */
export function pageHead(script: string, title: string, style: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64')
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${style}</style>
</head>`
}

/**
 * The HTML page for the core's flame report (`Profile.flameReport`). `hung` names functions
 * whose frames get a red outline (for goroutine dumps: where hung goroutines are parked).
 */
export function renderFlameHtml(report: Uint8Array, hung: string[] = []): string {
  const script = pageScript('flame')
  return `${pageHead(script, 'flame graph', pageStyle('flame'))}
<body>
<header>
<strong id="title"></strong>
<label id="type-label">Sample type <select id="type"></select></label>
<button id="reset" type="button" title="Show the whole tree (Esc)">Reset zoom</button>
<input id="search" type="search" placeholder="Search functions (regexp)" autocomplete="off" spellcheck="false">
<span id="matched"></span>
</header>
<div id="path"></div>
<div id="chart"></div>
<div id="tip" hidden></div>
<script type="application/octet-stream" id="flame-data">${Buffer.from(report.buffer, report.byteOffset, report.byteLength).toString('base64')}</script>
<script type="application/json" id="flame-hung">${scriptSafeJson(JSON.stringify(hung))}</script>
<script>${script}</script>
</body>
</html>
`
}
