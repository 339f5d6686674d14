// One labelled form field with its help text and the server's message for it, wired for
// screen readers (aria-describedby, aria-invalid).
interface Props {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
  help?: string;
  error?: string;
  multiline?: boolean;
  inputMode?: "numeric";
}

export function FormField({ id, label, value, onValue, help, error, multiline, inputMode }: Props) {
  const describedBy = [help ? id + "-help" : "", error ? id + "-error" : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id, value, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" inputMode={inputMode} {...common} />}
      {help && <p id={id + "-help"} class="help">{help}</p>}
      {error && <p id={id + "-error"} class="field-error">{error}</p>}
    </div>
  );
}
