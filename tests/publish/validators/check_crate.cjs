// Offline RO-Crate 1.1 check (tests/publish/export_test.py): the crate expands as JSON-LD
// without loss (npm jsonld 9: its "unsafe" expansion events, keys in = keys out per entity,
// every @type an IRI) and has the RO-Crate 1.1 required entities (metadata descriptor, root
// Dataset with name/description/license/ISO 8601 datePublished, every hasPart a described
// File with contentSize, encodingFormat and sha256). The 1.1 context comes from npm ro-crate
// 3.4.10 (later versions ship 1.2's); nothing is fetched from the network.
// usage: NODE_PATH=<node_modules> node check_crate.cjs ro-crate-metadata.json...  (exit 0 = ok)
'use strict';
const fs = require('fs');
const jsonld = require('jsonld');

const CONTEXT_URL = 'https://w3id.org/ro/crate/1.1/context';
const contextDoc = require('ro-crate/lib/defaults').standardContexts[CONTEXT_URL];

// Offline document loader: serves only the vendored RO-Crate 1.1 context.
async function documentLoader(url) {
  if (url === CONTEXT_URL) return {contextUrl: null, documentUrl: url, document: contextDoc};
  throw new Error(`offline documentLoader: refusing to fetch ${url}`);
}

// jsonld.js "safe mode" codes (lib/events.js _notSafeEventCodes) minus
// 'relative @id reference', which RO-Crate needs (relative @ids with base null).
const LOSS_CODES = new Set([
  'empty object', 'free-floating scalar', 'invalid @language value',
  'invalid property', 'null @id value', 'null @value value',
  'object with only @id', 'object with only @language', 'object with only @list',
  'object with only @value', 'relative @type reference', 'relative @vocab reference',
  'reserved @id value', 'reserved @reverse value', 'reserved term']);

const SDO = 'http://schema.org/';
const isAbs = (s) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
const ISO8601 = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

async function check(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  const events = [];
  // base: null keeps "./", "raw/x.tiff" relative (spec appendix "relative-uris").
  const expanded = await jsonld.expand(doc, {
    documentLoader, base: null,
    eventHandler: ({event, next}) => { events.push(event); next(); }
  });
  for (const e of events) {
    if (!LOSS_CODES.has(e.code)) continue;
    // the official 1.1 context itself defines "@label" -> always warned, harmless
    if (e.code === 'reserved term' && e.details && e.details.term === '@label') continue;
    problems.push(`expansion loss: ${e.code} ${JSON.stringify(e.details)}`);
  }
  // belt and braces: every compacted key / @type must survive as an absolute IRI
  const byId = new Map(expanded.map((n) => [n['@id'], n]));
  for (const node of doc['@graph'] || []) {
    for (const [k, v] of Object.entries(node))  // flattened: references are {"@id"} only
      for (const o of [].concat(v)) if (o && typeof o === 'object' && !('@value' in o) &&
          Object.keys(o).some((x) => x !== '@id')) problems.push(`node ${node['@id']}.${k}: nested entity (not flattened)`);
    const ex = byId.get(node['@id']);
    if (!ex) { problems.push(`node ${node['@id']} missing after expansion`); continue; }
    const inKeys = Object.keys(node).filter((k) => !k.startsWith('@'));
    const outKeys = Object.keys(ex).filter((k) => !k.startsWith('@'));
    if (inKeys.length !== outKeys.length)
      problems.push(`node ${node['@id']}: ${inKeys.length} keys in, ${outKeys.length} out`);
    for (const t of ex['@type'] || [])
      if (!isAbs(t)) problems.push(`node ${node['@id']}: @type "${t}" not in context`);
  }
  // RO-Crate 1.1 required entities (checked on IRIs, not on key spelling)
  const get = (n, p) => (n && n[SDO + p]) || [];
  const val = (n, p) => get(n, p).map((v) => v['@value'] !== undefined ? v['@value'] : v['@id']);
  const ids = expanded.map((n) => n['@id']);
  if (new Set(ids).size !== ids.length) problems.push('duplicate @id in @graph');
  const desc = byId.get('ro-crate-metadata.json');
  if (!desc) problems.push('no metadata descriptor "ro-crate-metadata.json"');
  else {
    if (!(desc['@type'] || []).includes(SDO + 'CreativeWork')) problems.push('descriptor @type != CreativeWork');
    const ct = (desc['http://purl.org/dc/terms/conformsTo'] || []).map((v) => v['@id']);
    if (!ct.some((u) => u && u.startsWith('https://w3id.org/ro/crate/1.1'))) problems.push('descriptor conformsTo != https://w3id.org/ro/crate/1.1');
    if (!val(desc, 'about').includes('./')) problems.push('descriptor about != ./');
  }
  const root = byId.get('./');
  if (!root) problems.push('no root data entity "./"');
  else {
    if (!(root['@type'] || []).includes(SDO + 'Dataset')) problems.push('root @type != Dataset');
    for (const p of ['name', 'description', 'license']) if (!get(root, p).length) problems.push(`root has no ${p}`);
    const dp = val(root, 'datePublished');
    if (dp.length !== 1 || !ISO8601.test(dp[0])) problems.push(`root datePublished not ISO 8601: ${dp}`);
    for (const part of val(root, 'hasPart')) {
      const n = byId.get(part);
      if (!n) { problems.push(`hasPart ${part} not described`); continue; }
      const t = n['@type'] || [];
      if (!t.includes(SDO + 'MediaObject') && !t.includes(SDO + 'Dataset')) problems.push(`hasPart ${part} is not File/Dataset`);
      if (t.includes(SDO + 'MediaObject') && !isAbs(part)) {
        for (const p of ['contentSize', 'encodingFormat', 'sha256'])
          if (!get(n, p).length) problems.push(`File ${part} has no ${p}`);
      }
    }
  }
  return problems;
}

(async () => {
  let bad = 0;
  for (const f of process.argv.slice(2)) {
    const problems = await check(f).catch((e) => [`error: ${e.message}`]);
    console.log(`${f}: ${problems.length ? 'FAIL' : 'OK'}`);
    for (const p of problems) console.log('  - ' + p);
    if (problems.length) bad++;
  }
  process.exit(bad ? 1 : 0);
})();
