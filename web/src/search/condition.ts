// Scientific conditions typed the way scientists write them — "pixel size < 1.2 Å",
// "dose 40–60 e/Å²", "voltage = 300 kV", "detector = Falcon 4i" — turned into the fullquery
// `scientific` conditions {lhs, relation, rhs, unit}. The portal converts no units: the
// server compares SI values (udunits2), so "0.12 nm" and "1.2 Å" find the same datasets.

export type Relation =
  | "EQUAL_TO_NUMERIC"
  | "EQUAL_TO_STRING"
  | "CONTAINS_STRING"
  | "GREATER_THAN"
  | "LESS_THAN"
  | "GREATER_THAN_OR_EQUAL"
  | "LESS_THAN_OR_EQUAL"
  | "RANGE";

export interface ScientificCondition {
  lhs: string;
  relation: Relation;
  rhs: number | string | [number, number];
  unit: string;
}

export type Parsed = { ok: true; condition: ScientificCondition; text: string } | { ok: false; error: string };

const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const OPS: Record<string, Relation> = {
  "<": "LESS_THAN",
  ">": "GREATER_THAN",
  "<=": "LESS_THAN_OR_EQUAL",
  "≤": "LESS_THAN_OR_EQUAL",
  ">=": "GREATER_THAN_OR_EQUAL",
  "≥": "GREATER_THAN_OR_EQUAL",
  "=": "EQUAL_TO_NUMERIC",
  "==": "EQUAL_TO_NUMERIC",
  "~": "CONTAINS_STRING",
};
const SYMBOL: Record<Relation, string> = {
  LESS_THAN: "<",
  GREATER_THAN: ">",
  LESS_THAN_OR_EQUAL: "≤",
  GREATER_THAN_OR_EQUAL: "≥",
  EQUAL_TO_NUMERIC: "=",
  EQUAL_TO_STRING: "=",
  CONTAINS_STRING: "~",
  RANGE: "",
};

const normalise = (s: string) => s.trim().toLowerCase().replace(/[\s\-]+/g, "_");

// "pixel size" → "acquisition.pixel_size" among the catalog's metadata keys: an exact path,
// else the key whose last part is the name, else a key ending or containing it.
export function resolveKey(name: string, keys: string[]): string | null {
  const n = normalise(name);
  if (!n) return null;
  const lower = keys.map((k) => [k, k.toLowerCase()] as const);
  const by = (test: (k: string) => boolean) => lower.find(([, l]) => test(l))?.[0];
  return (
    by((k) => k === n) ??
    by((k) => k.split(".").pop() === n) ??
    by((k) => k.endsWith(n)) ??
    by((k) => k.includes(n)) ??
    (name.includes(".") ? name.trim() : null)
  );
}

// The canonical text of a condition (kept in the URL; parses back to the same condition).
export function conditionText(c: ScientificCondition): string {
  const unit = c.unit ? " " + c.unit : "";
  if (c.relation === "RANGE" && Array.isArray(c.rhs)) return `${c.lhs} ${c.rhs[0]}–${c.rhs[1]}${unit}`;
  const rhs = typeof c.rhs === "string" && /^[-+\d.]/.test(c.rhs) ? `"${c.rhs}"` : String(c.rhs);
  return `${c.lhs} ${SYMBOL[c.relation]} ${rhs}${unit}`;
}

export function parseCondition(input: string, keys: string[]): Parsed {
  const text = input.trim().replace(/\s+/g, " ");
  if (!text) return { ok: false, error: "Type a condition such as “pixel size < 1.2 Å”." };
  let name: string, relation: Relation, rhs: ScientificCondition["rhs"], unit: string;

  const range =
    new RegExp(String.raw`^(.+?)\s+(?:between\s+)?(${NUM})\s*(?:–|—|\.\.|-|\bto\b|\band\b)\s*(${NUM})\s*(.*)$`, "i").exec(text);
  const op = /^(.+?)\s*(<=|>=|==|≤|≥|<|>|=|~)\s*(.+)$/.exec(text);
  if (op && !(range && range.index === 0 && !/[<>=≤≥~]/.test(text))) {
    name = op[1]!;
    relation = OPS[op[2]!]!;
    const value = op[3]!.trim();
    const num = new RegExp(String.raw`^(${NUM})\s*(.*)$`).exec(value);
    if (relation === "CONTAINS_STRING") {
      rhs = value.replace(/^"(.*)"$/, "$1");
      unit = "";
    } else if (num && !/^".*"$/.test(value)) {
      rhs = Number(num[1]);
      unit = num[2]!.trim();
    } else if (relation === "EQUAL_TO_NUMERIC") {
      relation = "EQUAL_TO_STRING";
      rhs = value.replace(/^"(.*)"$/, "$1");
      unit = "";
    } else {
      return { ok: false, error: `“${value}” is not a number: ${op[2]} compares numbers, for example “${name.trim()} ${op[2]} 1.2 Å”.` };
    }
  } else if (range) {
    name = range[1]!;
    const lo = Number(range[2]), hi = Number(range[3]);
    relation = "RANGE";
    rhs = lo <= hi ? [lo, hi] : [hi, lo];
    unit = range[4]!.trim();
  } else {
    return { ok: false, error: "Write a field, a comparison and a value, for example “pixel size < 1.2 Å” or “dose 40–60 e/Å²”." };
  }
  const lhs = resolveKey(name, keys);
  if (!lhs) {
    const known = keys.slice(0, 8).map((k) => k.split(".").pop()!.replace(/_/g, " "));
    return {
      ok: false,
      error: `No metadata field is called “${name.trim()}”.` + (known.length ? ` Known fields include: ${known.join(", ")}.` : ""),
    };
  }
  const condition: ScientificCondition = { lhs, relation, rhs, unit };
  return { ok: true, condition, text: conditionText(condition) };
}
