// A value that components can watch: the portal's only shared state (session, route,
// feature probes). Synchronous; listeners run in subscription order.
import { useEffect, useState } from "preact/hooks";

export class Observable<T> {
  private listeners = new Set<(v: T) => void>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(v: T): void {
    if (Object.is(v, this.value)) return;
    this.value = v;
    for (const l of [...this.listeners]) l(v);
  }
  subscribe(l: (v: T) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export function useObservable<T>(o: Observable<T>): T {
  const [v, setV] = useState(o.get());
  useEffect(() => {
    setV(o.get());
    return o.subscribe(setV);
  }, [o]);
  return v;
}
