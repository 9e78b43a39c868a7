// Tab completion at the `(pprof) ` prompt: the first word from the commands, options, option
// choices and sample types (the session's `words`), the word after `help` likewise, the value
// of `sample_index=` from the profile's sample types, and a command's later words (its regexps;
// `-` ones too) from the profile's function names containing what is typed, as pprof's
// completer matches them (not for `tags`, whose regexps match labels).
import type { Completer } from 'node:readline'

/** At most this many function names are offered at once. */
const MAX_FUNCTIONS = 200

export function completer(words: readonly string[], sampleTypes: readonly string[], functions: () => readonly string[] = () => []): Completer {
  const starting = (list: readonly string[], prefix: string) => list.filter((w) => w.startsWith(prefix))
  return (line: string): [string[], string] => {
    const si = /^\s*sample_index\s*=\s*(\S*)$/.exec(line)
    if (si) return [starting(sampleTypes, si[1]), si[1]]
    const first = /^\s*([^\s=]*)$/.exec(line)
    if (first) return [starting(words, first[1]), first[1]]
    const help = /^\s*help\s+(\S*)$/.exec(line)
    if (help) return [starting(words, help[1]), help[1]]
    const arg = /^\s*(\S+)\s.*?(-?)(\S*)$/.exec(line)
    if (arg && arg[1] !== 'tags' && arg[1] !== 'help' && !arg[1].includes('=') && words.includes(arg[1].replace(/\d+$/, ''))) {
      const hits = functions().filter((f) => f.includes(arg[3])).slice(0, MAX_FUNCTIONS)
      return [hits.map((f) => arg[2] + f), arg[2] + arg[3]]
    }
    return [[], line]
  }
}
