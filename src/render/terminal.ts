// What may reach a terminal: the one rule for control bytes (ANSI escape sequences, BEL, C1
// codes…) in names that came from an input, so a crafted dump or profile cannot rewrite the
// screen, set the window title or hide lines.
//
// 1. `escapeControls` is the only escaping: a control byte becomes `\xNN`; tab and newline stay.
// 2. goroscope's own text reports (stacks, report, vars, sys, the collect and redact summaries,
//    messages on stderr) escape every input string as they render it, wherever they are written:
//    they are for people, in files too. Only their own colour (render/color.ts) is added after.
// 3. pprof-compatible text (the pprof reports, DOT, pprof's warnings) is byte-identical to
//    `go tool pprof` in files and pipes, and escaped as a whole when written to a terminal; so are
//    SVG and HTML written to a terminal. JSON is always safe (`jsonText`).

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Rule 3: text written as pprof writes it, escaped only when `stream` is a terminal. */
export function forTerminal(text: string, stream: { isTTY?: boolean }): string {
  return stream.isTTY ? escapeControls(text) : text
}

// JSON.stringify escapes C0 controls but leaves DEL and the C1 range (\x9b is a CSI) as they are.
const JSON_UNSAFE = /[\u007f-\u009f]/g

/** A value as indented JSON text with every control byte escaped (`\u009b`): same value, terminal-safe. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
}
