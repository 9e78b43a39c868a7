// One loaded input of the web UI: its `Profile` (the binding's driver session: the sources are
// fetched, merged and based once, then every report works on a copy) and the pprof flags of
// the command line, which every view's own flags follow. Reports run on the libuv pool; at
// most WORKERS of one session at a time, the rest wait in a queue from which a request that
// was abandoned (the client went away, or the page asked for something newer) is dropped
// before it starts. Recent results are kept, so going back to a view costs nothing.
import * as path from 'node:path'

import { GoroscopeError } from '../native'
import { Profile, type ProfileReport } from '../profile'
import { inputFiles } from '../render/input'
import { sniff } from '../sniff'

const WORKERS = 2
const CACHED = 24

/** The request was abandoned before its report started. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled')
    this.name = 'Cancelled'
  }
}

export interface SessionOptions {
  binary?: string
  maxDecompressed?: number
  minWait?: number
}

export class ViewSession {
  private running = 0
  private readonly waiting: Array<() => void> = []
  private readonly cache = new Map<string, Entry<unknown>>()
  /** Recent answers as sent (views.ts), so a view asked again is not serialized again. */
  private readonly answers = new Map<string, unknown>()
  /** Reports started (not answered from the cache), for tests and the load measurements. */
  started = 0
  /** Queued requests dropped because they were abandoned first. */
  cancelled = 0

  private constructor(
    readonly profile: Profile,
    /** pprof flags of the command line (`-diff_base=…`, `-sample_index=…`), before every view's own. */
    readonly flags: string[],
    /** Base names of the inputs, for the title. */
    readonly inputs: string[],
    readonly fromStacks: boolean,
    /** For a goroutine dump: the minutes from which a goroutine counts as hung (graph marks). */
    readonly minWait = 1,
  ) {}

  /** Load the inputs of a pprof command line (`args`: flags and files): profiles, or one goroutine dump. */
  static async open(args: string[], o: SessionOptions = {}): Promise<ViewSession> {
    const files = inputFiles(args)
    const flags = args.filter((a) => !files.includes(a))
    const inputs = files.map((f) => path.basename(f))
    if (files.length === 1) {
      const { kind } = await sniff(files[0])
      if (kind === 'goroutine-dump' || (kind === 'goroutine-profile' && !o.binary)) {
        return new ViewSession(await Profile.fromStacks(files[0], { minWait: o.minWait }), flags, inputs, true, o.minWait ?? 1)
      }
    }
    if (files.length === 0) {
      // the last word that is not a flag is the likeliest profile name (flag values come before)
      const named = args.filter((a) => !a.startsWith('-')).pop()
      if (named !== undefined) throw new GoroscopeError('GOROSCOPE_IO', `${named}: no such file`, { path: named })
      throw new GoroscopeError('GOROSCOPE_OPTIONS', 'pprof -http: give at least one profile file')
    }
    return new ViewSession(await Profile.load(files, { binary: o.binary, maxDecompressed: o.maxDecompressed }), flags, inputs, false)
  }

  /** A profile already loaded (an entry of a bundle, for `goroscope serve`), titled `name`. */
  static of(profile: Profile, name: string): ViewSession {
    return new ViewSession(profile, [], [name], false)
  }

  /** True when the command line compares against a base (`-diff_base`): the flame graph colours growth. */
  get diff(): boolean {
    return this.flags.some((f) => /^--?diff_base(=|$)/.test(f))
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.waiting.length
  }

  /** A report: the view's flags (`-top`, `-focus=…`) after the command line's. */
  report(viewFlags: string[], signal?: AbortSignal): Promise<ProfileReport> {
    return this.cached('r' + JSON.stringify(viewFlags), signal, () => this.profile.report([...this.flags, ...viewFlags]))
  }

  /** The flame report bytes (crates/goroscope-core/src/flame.rs) of the profile refined by `refine`. */
  flame(refine: string[], signal?: AbortSignal): Promise<Buffer> {
    return this.cached('f' + JSON.stringify(refine), signal, () => this.profile.flameReport([...this.flags, ...refine], this.inputs.join(', ') || 'profile'))
  }

  /** A view's answer remembered by `remember` (and made the most recently used), if any. */
  answered<T>(key: string): T | undefined {
    const a = this.answers.get(key) as T | undefined
    if (a !== undefined) {
      this.answers.delete(key)
      this.answers.set(key, a)
    }
    return a
  }

  remember<T>(key: string, answer: T): void {
    this.answers.set(key, answer)
    while (this.answers.size > CACHED) this.answers.delete(this.answers.keys().next().value as string)
  }

  private cached<T>(key: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    let e = this.cache.get(key) as Entry<T> | undefined
    const fresh = !e
    if (!e) e = { wanted: 0, promise: undefined }
    // most recently used last
    this.cache.delete(key)
    this.cache.set(key, e)
    while (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value as string)
    // the work is wanted while one of its requests is (several may share it)
    const entry = e
    entry.wanted++
    signal?.addEventListener('abort', () => entry.wanted--, { once: true })
    if (fresh) {
      entry.promise = this.inTurn(() => entry.wanted > 0, work)
      // a failure or a cancellation is not kept: the next request tries again
      entry.promise.catch(() => this.cache.get(key) === entry && this.cache.delete(key))
    }
    return entry.promise!
  }

  private async inTurn<T>(wanted: () => boolean, work: () => Promise<T>): Promise<T> {
    if (this.running >= WORKERS) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      if (!wanted()) {
        this.cancelled++
        throw new Cancelled()
      }
      this.started++
      return await work()
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }
}

interface Entry<T> {
  /** Requests still waiting for it. */
  wanted: number
  promise: Promise<T> | undefined
}
