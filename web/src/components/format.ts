// How values look on the page: sizes, dates, quantities.
import type { Json } from "../api/types";

export function bytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return "–";
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + " " + units[i];
}

export function date(iso: string | undefined | null, withSeconds = false): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, withSeconds ? 19 : 16).replace("T", " ") + " UTC";
}

export function day(iso: string | undefined | null): string {
  return iso ? date(iso).slice(0, 10) : "–";
}

// A quantity {value, unit} (or {v, u}) as "0.83 Å"; null when `v` is no quantity.
export function quantity(v: Json | undefined): string | null {
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const value = "value" in v ? v["value"] : "v" in v ? v["v"] : undefined;
  const unit = "unit" in v ? v["unit"] : "u" in v ? v["u"] : undefined;
  if (value === undefined) return null;
  return `${scalar(value as Json)}${unit ? " " + String(unit) : ""}`;
}

export function scalar(v: Json | undefined): string {
  if (v === undefined || v === null) return "–";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
