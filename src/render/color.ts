// ANSI colour, on only when asked (a TTY by default, never with NO_COLOR).
export interface Palette {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  yellow(s: string): string
  green(s: string): string
  cyan(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`
const plain = (s: string) => s

export function palette(on: boolean): Palette {
  if (!on) return { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain }
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39) }
}

/** Colour by default on a TTY, unless NO_COLOR is set; FORCE_COLOR forces it. */
export function wantColor(stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag
  if (process.env.NO_COLOR) return false
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true
  return !!stream.isTTY
}
