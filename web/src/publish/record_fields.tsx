// The fields of a published-data record a person writes (title, abstract, creators, publisher,
// year, resource type), shared by the "publish this dataset" form and the draft's editor, and
// the mapping between them and the v4 body; the server's messages are placed at their field.
import { ApiError } from "../api/client";
import type { PublishForm, PublishedRecord } from "../api/types";
import { describe } from "../components/error_message";
import { FormField } from "../components/form_field";

export interface RecordValues {
  title: string;
  abstract: string;
  creators: string; // one name per line
  publisher: string;
  publicationYear: string;
  resourceType: string;
}

interface FieldDef { key: keyof RecordValues; label: string; multiline?: boolean; help?: string; inputMode?: "numeric" }

const FIELDS: FieldDef[] = [
  { key: "title", label: "Title" },
  { key: "abstract", label: "Abstract", multiline: true },
  { key: "creators", label: "Creators", multiline: true, help: "One person or organisation per line, as they should be cited." },
  { key: "publisher", label: "Publisher" },
  { key: "publicationYear", label: "Publication year", inputMode: "numeric" },
  { key: "resourceType", label: "Resource type", help: "What is published, for example raw or derived." },
];

export function valuesOf(r: PublishedRecord): RecordValues {
  const m = r.metadata ?? {};
  return {
    title: r.title ?? "",
    abstract: r.abstract ?? "",
    creators: (m.creators ?? []).map((c) => c.name).join("\n"),
    publisher: m.publisher?.name ?? "",
    publicationYear: m.publicationYear === undefined ? "" : String(m.publicationYear),
    resourceType: m.resourceType ?? "",
  };
}

// The server's proposal for a new record (formpopulate's v3 names) as form values.
export function valuesOfForm(f: PublishForm): RecordValues {
  return {
    title: f.title ?? "",
    abstract: f.abstract ?? "",
    creators: (f.creator ?? []).join("\n"),
    publisher: f.publisher ?? "",
    publicationYear: f.publicationYear === undefined ? "" : String(f.publicationYear),
    resourceType: f.resourceType ?? "",
  };
}

// The v4 body: `metadata` is replaced as a whole by the server, so the record's other
// metadata (contributors, funding, ...) is sent back unchanged.
export function recordBody(v: RecordValues, base?: PublishedRecord): Record<string, unknown> {
  const year = Number(v.publicationYear.trim());
  const creators = v.creators.split("\n").map((s) => s.trim()).filter(Boolean);
  const known = new Map((base?.metadata?.creators ?? []).map((c) => [c.name, c]));
  return {
    title: v.title.trim(),
    abstract: v.abstract.trim(),
    metadata: {
      ...(base?.metadata ?? {}),
      creators: creators.map((name) => known.get(name) ?? { name }),
      publisher: { ...(base?.metadata?.publisher ?? {}), name: v.publisher.trim() },
      publicationYear: Number.isInteger(year) && v.publicationYear.trim() ? year : v.publicationYear.trim(),
      resourceType: v.resourceType.trim(),
    },
  };
}

// "metadata.creators: ..." → creators; "title should not be empty" → title.
function messagesByField(messages: string[]): { byField: Record<string, string>; rest: string[] } {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const m of messages) {
    const f = FIELDS.find((x) => new RegExp(`(^|[.\\s'"])${x.key}\\b`).test(m));
    if (f && !byField[f.key]) byField[f.key] = m;
    else rest.push(m);
  }
  return { byField, rest };
}

// A refused request: the messages to show at their fields, and the sentence for the form.
export function refusal(err: unknown, notDone: string): { byField: Record<string, string>; status: string } {
  const { byField, rest } = messagesByField(err instanceof ApiError ? err.messages : []);
  const atFields = Object.keys(byField).length > 0 && rest.length === 0;
  return { byField, status: atFields ? `${notDone}: see the messages at the fields.` : describe(err, "published data record") };
}

export function RecordFields({ values, errors, onInput, idPrefix }: {
  values: RecordValues; errors: Record<string, string>; onInput: (v: RecordValues) => void; idPrefix: string;
}) {
  return (
    <>
      {FIELDS.map((f) => (
        <FormField key={f.key} id={`${idPrefix}-${f.key}`} label={f.label} value={values[f.key]} help={f.help} error={errors[f.key]}
          multiline={f.multiline} inputMode={f.inputMode} onValue={(v) => onInput({ ...values, [f.key]: v })} />
      ))}
    </>
  );
}
