// The page frame (skip link, header with navigation, main, footer) and the route table.
import { useEffect, useRef } from "preact/hooks";
import { session, sessionExpired } from "./api/session";
import { DatasetPage } from "./dataset/dataset_page";
import { useObservable } from "./observable";
import { InstrumentList, InstrumentPage, ProposalList, ProposalPage, SampleList, SamplePage } from "./pages/collections";
import { JobList, JobPage } from "./pages/jobs";
import { AuthCallbackPage } from "./pages/auth_callback";
import { SignInPage } from "./pages/signin";
import { UserPage } from "./pages/user";
import { idAfter, useLocation } from "./router";
import { PublishedList } from "./publish/published_list";
import { PublishedRecordPage } from "./publish/published_record";
import { SearchPage } from "./search/search_page";

function route(path: string) {
  const p = path.replace(/\/+$/, "") || "/";
  const detail = (prefix: string) => p.startsWith(prefix + "/") && p.length > prefix.length + 1;
  if (p === "/") return { page: <SearchPage />, title: "Search" };
  if (detail("/datasets")) return { page: <DatasetPage pid={idAfter(p, "/datasets/")} />, title: "Dataset" };
  if (p === "/datasets") return { page: <SearchPage />, title: "Search" };
  if (p === "/proposals") return { page: <ProposalList />, title: "Proposals" };
  if (detail("/proposals")) return { page: <ProposalPage id={idAfter(p, "/proposals/")} />, title: "Proposal" };
  if (p === "/samples") return { page: <SampleList />, title: "Samples" };
  if (detail("/samples")) return { page: <SamplePage id={idAfter(p, "/samples/")} />, title: "Sample" };
  if (p === "/instruments") return { page: <InstrumentList />, title: "Instruments" };
  if (detail("/instruments")) return { page: <InstrumentPage id={idAfter(p, "/instruments/")} />, title: "Instrument" };
  if (p === "/jobs") return { page: <JobList />, title: "Jobs" };
  if (detail("/jobs")) return { page: <JobPage id={idAfter(p, "/jobs/")} />, title: "Job" };
  if (p === "/signin") return { page: <SignInPage />, title: "Sign in" };
  if (p === "/auth-callback") return { page: <AuthCallbackPage />, title: "Signing in" };
  if (p === "/user") return { page: <UserPage />, title: "Your account" };
  if (p === "/published") return { page: <PublishedList />, title: "Published data" };
  if (detail("/published")) return { page: <PublishedRecordPage doi={idAfter(p, "/published/")} />, title: "Published data" };
  return {
    page: (
      <>
        <h1>Page not found</h1>
        <p>There is no page at this address. <a href="/">Search the datasets</a>.</p>
      </>
    ),
    title: "Not found",
  };
}

const NAV: [string, string][] = [
  ["/", "Search"],
  ["/proposals", "Proposals"],
  ["/samples", "Samples"],
  ["/instruments", "Instruments"],
  ["/published", "Published data"],
  ["/jobs", "Jobs"],
];

export function App() {
  const loc = useLocation();
  const user = useObservable(session);
  const expired = useObservable(sessionExpired);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const { page, title } = route(loc.path);

  // A new page: its title, and keyboard/screen-reader focus at its start (not on the link
  // that was clicked, which is gone).
  useEffect(() => {
    document.title = `${title} – openem`;
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [loc.path]);

  const section = (href: string) => (href === "/" ? loc.path === "/" || loc.path.startsWith("/datasets") : loc.path.startsWith(href));
  const here = encodeURIComponent(loc.path + (loc.search.toString() ? "?" + loc.search.toString() : ""));
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/">openem <span>data portal</span></a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}><a href={href} aria-current={section(href) ? "page" : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <div class="account">
          {user ? (
            <a href="/user" aria-current={loc.path === "/user" ? "page" : undefined}>{user.username}</a>
          ) : (
            loc.path !== "/signin" && <a href={`/signin?next=${here}`}>Sign in</a>
          )}
        </div>
      </header>
      {expired && !user && (
        <div class="banner" role="alert">
          Your session has ended, so you now see public data only.{" "}
          <a href={`/signin?next=${here}`}>Sign in again</a> to come back to this page.
        </div>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        {page}
      </main>
      <footer>
        openem · <a href="/explorer-json">API description</a> · SciCat API v3 at <code>/api/v3</code>
      </footer>
    </>
  );
}
