// EMPIAR deposition JSON against EMPIAR's own JSON Schema (emdb-empiar/empiar-depositor, in
// ../shared/testdata/empiar/), with npm ajv 8 + ajv-formats (email), default strict options.
// usage: NODE_PATH=<node_modules> node validate_empiar.cjs SCHEMA doc.json...  (exit 0 = all valid)
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemaPath, ...docs] = process.argv.slice(2);
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let bad = 0;
for (const p of docs) {
  const ok = validate(JSON.parse(fs.readFileSync(p, 'utf8')));
  console.log(`${p}: ${ok ? 'VALID' : 'INVALID'}`);
  if (!ok) {
    bad++;
    for (const e of validate.errors) console.log(`  ${e.instancePath || '/'} ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
