// Bad collection options (an API address, a secret, a collector name, a targets file): code
// GOROSCOPE_OPTIONS, so the CLI exits 2 like for any other bad option.
export class OptionsError extends Error {
  readonly code = 'GOROSCOPE_OPTIONS'
}
