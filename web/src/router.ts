// Client-side routing: the route is read from location.pathname (so the bundle boots on any
// URL, including the server-rendered /datasets/{pid} landing page), and same-origin link
// clicks become history entries instead of page loads.
import { Observable, useObservable } from "./observable";

export interface Location {
  path: string;
  search: URLSearchParams;
}

function read(): Location {
  return { path: window.location.pathname, search: new URLSearchParams(window.location.search) };
}

export const location$ = new Observable<Location>(read());

export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  location$.set(read());
}

export function useLocation(): Location {
  return useObservable(location$);
}

// Paths the portal renders itself; everything else (API downloads, /explorer) is a real load.
function isPortalLink(a: HTMLAnchorElement): boolean {
  if (a.origin !== window.location.origin || a.target || a.hasAttribute("download")) return false;
  return !/^\/(api|explorer|metrics|oai|health|ping)(\/|$)/i.test(a.pathname);
}

export function installLinkInterception(): void {
  window.addEventListener("popstate", () => location$.set(read()));
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || !(a instanceof HTMLAnchorElement) || !isPortalLink(a)) return;
    e.preventDefault();
    if (a.pathname + a.search !== window.location.pathname + window.location.search) navigate(a.pathname + a.search);
    window.scrollTo(0, 0);
  });
}

// "/datasets/PID.prefix%2Fabc" → "PID.prefix/abc". A pid typed with a raw '/' works too:
// everything after the prefix is the id.
export function idAfter(path: string, prefix: string): string {
  const rest = path.slice(prefix.length).replace(/\/+$/, "");
  return rest
    .split("/")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}

export const datasetUrl = (pid: string) => "/datasets/" + encodeURIComponent(pid);
// A DOI keeps its '/' percent-encoded in one path segment: /published/10.5072%2Fabc.
export const publishedUrl = (doi: string) => "/published/" + encodeURIComponent(doi);
