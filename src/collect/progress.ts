// The progress display on a TTY: one line per collector with its state, the window counting
// down. Quiet (no output at all) when stderr is not a TTY.
import type { ItemStatus } from '../bundle/manifest'

export interface ProgressEvent {
  collector: string
  state: 'waiting' | 'running' | ItemStatus
  windowed: boolean
}

export interface Progress {
  update(e: ProgressEvent): void
  stop(): void
}

export const quiet: Progress = { update() {}, stop() {} }

export function ttyProgress(stream: NodeJS.WriteStream, label: string, seconds: number): Progress {
  const states = new Map<string, ProgressEvent>()
  const started = Date.now()
  let drawn = 0
  const draw = () => {
    const left = Math.max(0, seconds - Math.floor((Date.now() - started) / 1000))
    const lines = [`goroscope collect ${label}  window ${left}s left`]
    for (const e of states.values()) {
      const mark = e.state === 'ok' ? '✓' : e.state === 'failed' ? '✗' : e.state === 'skipped' ? '-' : e.state === 'running' ? '…' : ' '
      const extra = e.state === 'running' && e.windowed ? ` (${left}s)` : ''
      lines.push(`  ${mark} ${e.collector.padEnd(11)} ${e.state}${extra}`)
    }
    let out = drawn ? `\x1b[${drawn}A` : ''
    for (const l of lines) out += `\x1b[2K${l}\n`
    stream.write(out)
    drawn = lines.length
  }
  const timer = setInterval(draw, 250)
  timer.unref()
  return {
    update(e) {
      states.set(e.collector, e)
      draw()
    },
    stop() {
      clearInterval(timer)
      draw()
    },
  }
}
