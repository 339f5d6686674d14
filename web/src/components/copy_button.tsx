// Copies a text to the clipboard and says so (for screen readers too).
import { useState } from "preact/hooks";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("Copied.");
    } catch {
      setDone("Copying is blocked here: select the text and copy it.");
    }
  };
  return (
    <span>
      <button type="button" onClick={copy}>
        {label}
      </button>{" "}
      <span role="status">{done}</span>
    </span>
  );
}
