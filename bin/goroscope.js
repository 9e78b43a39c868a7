#!/usr/bin/env node
'use strict'
// The installed command: run the compiled CLI (npm run build:ts produces dist/).
require('../dist/src/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code
  })
