#!/usr/bin/env node
// fixture-facts.mjs - helper of make-fixture-dumps.sh (fixture capture only, not shipped).
//
//   check FACTS DUMP LEAK_DEBUG1   the goroutines whose headers in DUMP (a goroutineleak?debug=2
//                                  or SIGQUIT dump taken after leak detection) say "(leaked)" are
//                                  exactly facts.leaked.ids, and LEAK_DEBUG1's "total N" is
//                                  facts.leaked.profile_total; exit 1 otherwise.
//   annotate FACTS FILE KIND LEAKED_MARKED
//                                  print FACTS plus a "capture" object describing FILE.
// The facts come from the fixture program; this only cross-checks the runtime agrees with it.
import { readFileSync } from 'node:fs'

const [cmd, ...args] = process.argv.slice(2)
const readJSON = (p) => JSON.parse(readFileSync(p, 'utf8'))

if (cmd === 'check') {
  const [factsPath, dumpPath, debug1Path] = args
  const facts = readJSON(factsPath)
  const want = [...facts.leaked.ids].sort((a, b) => a - b)
  const got = []
  for (const line of readFileSync(dumpPath, 'utf8').split('\n')) {
    const m = /^goroutine (\d+) [^[]*\[([^\]]*)\]/.exec(line)
    if (m && / \(leaked\)/.test(m[2])) got.push(Number(m[1]))
  }
  got.sort((a, b) => a - b)
  const total = Number(/^goroutineleak profile: total (\d+)/.exec(readFileSync(debug1Path, 'utf8'))?.[1])
  const problems = []
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`leaked headers ${JSON.stringify(got)} != facts ${JSON.stringify(want)}`)
  if (total !== facts.leaked.profile_total) problems.push(`goroutineleak total ${total} != facts ${facts.leaked.profile_total}`)
  if (problems.length) {
    console.error(`fixture-facts: ${dumpPath}: ${problems.join('; ')}`)
    process.exit(1)
  }
} else if (cmd === 'annotate') {
  const [factsPath, file, kind, leakedMarked] = args
  const facts = readJSON(factsPath)
  const headers = !kind.endsWith('-debug1')
  facts.capture = {
    file,
    kind,
    // Do the headers of facts.leaked.ids carry " (leaked)"? (null: debug=1 has no headers)
    leaked_marked: headers ? leakedMarked === 'true' : null,
    // How pprof labels appear in the goroutine headers (null: debug=1 has `# labels:` lines)
    header_labels: headers ? facts.header_labels : null,
  }
  process.stdout.write(JSON.stringify(facts, null, 2) + '\n')
} else {
  console.error('usage: fixture-facts.mjs check|annotate ...')
  process.exit(2)
}
