// Loads an API answer for a component: re-fetches when `key` changes, aborts the previous
// request (so a slow old answer never overwrites a newer one), and reports errors as values.
import { useEffect, useState } from "preact/hooks";
import { isAbort } from "../api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error) => !ctl.signal.aborted && !isAbort(error) && setState({ data: undefined, error, loading: false }),
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
