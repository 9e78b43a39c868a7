// Errors the command line itself raises. Each carries a `code` like the core's errors, so that
// exit.ts maps every error to an exit code in one place.

/** A bad command line (a flag without its value, a missing -o): exit 2, with the command's usage. */
export class UsageError extends Error {
  readonly code = 'GOROSCOPE_OPTIONS'
  constructor(
    message: string,
    /** Printed after the message when set. */
    readonly usage?: string,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

/** An input the command cannot read (JSON that is not the expected object): exit 2. */
export class InputError extends Error {
  readonly code = 'GOROSCOPE_PARSE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'InputError'
  }
}
