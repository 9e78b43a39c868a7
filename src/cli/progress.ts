// The progress line of a long read (`goroscope stacks` on a big dump): on stderr, only when it is a
// terminal, and only once the read has taken more than a second (GOROSCOPE_PROGRESS_DELAY_MS, for
// tests); redrawn in place and erased before the report is written. Nothing at all otherwise.
import type { Progress } from '../stacks'

const MIB = 1024 * 1024

export interface ProgressLine {
  /** The callback for the Node API; undefined when no line can be shown. */
  onProgress?: (p: Progress) => void
  /** Stop and erase the line (call before writing the report). */
  end(): void
}

/** A progress line on `stream` (stderr), or nothing when it is not a terminal. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): ProgressLine {
  if (!stream.isTTY) return { end() {} }
  const delay = Number(env.GOROSCOPE_PROGRESS_DELAY_MS ?? 1000)
  const start = Date.now()
  let last: Progress | undefined
  let shown = false
  const draw = () => {
    const s = (Date.now() - start) / 1000
    if (s * 1000 < delay) return
    const text = last
      ? `${last.phase} ${(last.done / MIB).toFixed(1)} of ${(last.total / MIB).toFixed(1)} MiB, ${(last.done / MIB / Math.max(s, 0.001)).toFixed(0)} MiB/s`
      : 'reading'
    stream.write(`\r\x1b[Kgoroscope: ${text}`)
    shown = true
  }
  const timer = setInterval(draw, 250)
  timer.unref()
  return {
    onProgress(p) {
      last = p
      draw()
    },
    end() {
      clearInterval(timer)
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
