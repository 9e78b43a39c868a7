// A source that could not be fetched: code GOROSCOPE_FETCH (exit 2, like any bad input), the URL
// as `path` so that the error names it the way the core's errors name a file.
export class FetchError extends Error {
  readonly code = 'GOROSCOPE_FETCH'
  constructor(
    /** The URL (never with a secret: secrets travel in headers only). */
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${detail}`, options)
    this.name = 'FetchError'
  }
}
