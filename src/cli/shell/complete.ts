// Tab completion at the `(pprof) ` prompt: the first word from the commands, options, option
// choices and sample types (the session's `words`), the word after `help` likewise, and the
// value of `sample_index=` from the profile's sample types.
import type { Completer } from 'node:readline'

export function completer(words: readonly string[], sampleTypes: readonly string[]): Completer {
  const starting = (list: readonly string[], prefix: string) => list.filter((w) => w.startsWith(prefix))
  return (line: string): [string[], string] => {
    const si = /^\s*sample_index\s*=\s*(\S*)$/.exec(line)
    if (si) return [starting(sampleTypes, si[1]), si[1]]
    const first = /^\s*([^\s=]*)$/.exec(line)
    if (first) return [starting(words, first[1]), first[1]]
    const help = /^\s*help\s+(\S*)$/.exec(line)
    if (help) return [starting(words, help[1]), help[1]]
    return [[], line]
  }
}
