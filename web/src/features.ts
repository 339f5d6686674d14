// What the server offers beyond the base API, found by asking it (never by configuration in
// the portal): published data appears in the navigation only when its endpoint answers.
import { Observable } from "./observable";

export const publishedDataAvailable = new Observable<boolean>(false);

export function probeFeatures(): void {
  fetch("/api/v3/publisheddata?filter=" + encodeURIComponent(JSON.stringify({ limits: { limit: 1 } })), {
    headers: { Accept: "application/json" },
  }).then((r) => publishedDataAvailable.set(r.status === 200), () => undefined);
}
