// pprof's "Please wait... (30s)" while a windowed profile is taken; on a terminal the line counts
// down in place once a second, so a 30 s wait does not look like a hang.
export interface Countdown {
  stop(): void
}

export function countdown(stream: NodeJS.WriteStream, seconds: number): Countdown {
  stream.write(`Please wait... (${seconds}s)${stream.isTTY ? '' : '\n'}`)
  if (!stream.isTTY) return { stop() {} }
  const started = Date.now()
  const timer = setInterval(() => {
    const left = Math.max(0, seconds - Math.floor((Date.now() - started) / 1000))
    stream.write(`\r\x1b[2KPlease wait... (${seconds}s, ${left}s left)`)
  }, 1000)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      stream.write('\n')
    },
  }
}
