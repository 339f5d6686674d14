#!/usr/bin/env node
// The search page's condition parser (web/src/search/condition.ts) on the ways scientists
// write conditions: each input, the catalog keys it is resolved against, and the expected
// `scientific` condition (or the start of the expected error). The TypeScript source is
// transpiled in memory with the portal's own typescript package (web/node_modules).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const WEB = new URL("../../web/", import.meta.url).pathname;
const ts = createRequire(WEB + "package.json")("typescript");
const source = readFileSync(WEB + "src/search/condition.ts", "utf8");
const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
const { parseCondition, conditionText } = await import("data:text/javascript;base64," + Buffer.from(js).toString("base64"));

const KEYS = ["acquisition.detector", "acquisition.dose_per_movie", "acquisition.pixel_size", "acquisition.voltage",
  "acquisition.nominal_defocus_min", "sample.name"];
const CASES = [
  ["pixel size < 1.2 Å", { lhs: "acquisition.pixel_size", relation: "LESS_THAN", rhs: 1.2, unit: "Å" }],
  ["pixel_size<=1.2Å", { lhs: "acquisition.pixel_size", relation: "LESS_THAN_OR_EQUAL", rhs: 1.2, unit: "Å" }],
  ["Pixel Size ≥ 0.08 nm", { lhs: "acquisition.pixel_size", relation: "GREATER_THAN_OR_EQUAL", rhs: 0.08, unit: "nm" }],
  ["dose 40–60 e/Å²", { lhs: "acquisition.dose_per_movie", relation: "RANGE", rhs: [40, 60], unit: "e/Å²" }],
  ["dose 40-60 e/Å²", { lhs: "acquisition.dose_per_movie", relation: "RANGE", rhs: [40, 60], unit: "e/Å²" }],
  ["dose between 60 and 40 e/Å²", { lhs: "acquisition.dose_per_movie", relation: "RANGE", rhs: [40, 60], unit: "e/Å²" }],
  ["nominal defocus min -2.5 - -0.5 µm", { lhs: "acquisition.nominal_defocus_min", relation: "RANGE", rhs: [-2.5, -0.5], unit: "µm" }],
  ["voltage = 300 kV", { lhs: "acquisition.voltage", relation: "EQUAL_TO_NUMERIC", rhs: 300, unit: "kV" }],
  ["voltage > 3e5 V", { lhs: "acquisition.voltage", relation: "GREATER_THAN", rhs: 300000, unit: "V" }],
  ["detector = Falcon 4i", { lhs: "acquisition.detector", relation: "EQUAL_TO_STRING", rhs: "Falcon 4i", unit: "" }],
  ["detector ~ Falcon", { lhs: "acquisition.detector", relation: "CONTAINS_STRING", rhs: "Falcon", unit: "" }],
  ["sample.name = \"70S\"", { lhs: "sample.name", relation: "EQUAL_TO_STRING", rhs: "70S", unit: "" }],
  ["custom.key > 5", { lhs: "custom.key", relation: "GREATER_THAN", rhs: 5, unit: "" }],
  ["magnification < lots", "“lots” is not a number"],
  ["colour < 3", "No metadata field is called “colour”"],
  ["pixel size", "Write a field, a comparison and a value"],
  ["", "Type a condition"],
];

let failed = 0;
for (const [input, expected] of CASES) {
  const got = parseCondition(input, KEYS);
  let ok;
  if (typeof expected === "string") ok = !got.ok && got.error.startsWith(expected);
  else ok = got.ok && JSON.stringify(got.condition) === JSON.stringify(expected)
    // the canonical text (kept in the URL) parses back to the same condition without the key list
    && JSON.stringify(parseCondition(conditionText(got.condition), []).condition) === JSON.stringify(expected);
  if (!ok) {
    failed++;
    console.log(`FAIL: ${JSON.stringify(input)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
}
console.log(`condition parser: ${CASES.length} cases`);
console.log(`${CASES.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
