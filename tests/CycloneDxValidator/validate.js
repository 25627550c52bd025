// Validates CycloneDX JSON documents with the CycloneDX project's own validator (@cyclonedx/cyclonedx-library,
// JsonStrictValidator: the official 1.6 schema, strict, with the SPDX licence list and JSF). One path per
// argument; prints "valid <path>" or the schema errors as JSON, and exits 1 when any document is invalid.
'use strict'
const fs = require('node:fs')
const { Spec, Validation } = require('@cyclonedx/cyclonedx-library')

async function main (paths) {
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6)
  let failed = 0
  for (const path of paths) {
    const errors = await validator.validate(fs.readFileSync(path, 'utf8'))
    if (errors === null) {
      console.log(`valid ${path}`)
    } else {
      failed++
      console.log(`invalid ${path}: ${JSON.stringify(errors, null, 2)}`)
    }
  }
  return failed === 0 ? 0 : 1
}

if (process.argv.length < 3) {
  console.error('usage: node validate.js BOM.cdx.json...')
  process.exit(2)
}
main(process.argv.slice(2)).then(code => process.exit(code), error => { console.error(error); process.exit(2) })
