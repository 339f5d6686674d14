// An API failure as a sentence a scientist understands, never a blank page.
import { ApiError } from "../api/client";
import { session } from "../api/session";

interface Props {
  error: unknown;
  what?: string; // "dataset", "proposal", ...: for 404
}

export function describe(error: unknown, what = "page"): string {
  if (!(error instanceof ApiError)) return "Something went wrong in the portal: " + String((error as Error)?.message ?? error);
  switch (error.status) {
    case 0:
      return error.message;
    case 400:
      return "The server did not accept the request: " + error.message;
    case 401:
      return "You need to sign in for this.";
    case 403:
      return `You have no access to this ${what}. ` + (error.message && error.message !== "Forbidden resource" ? error.message : "");
    case 404:
      return session.get()
        ? `This ${what} was not found, or you have no access to it.`
        : `This ${what} was not found, or it is not public: sign in to see your group's data.`;
    case 409:
      return error.message;
    case 429:
      return "Too many requests: " + error.message;
    case 503:
      return "The server is busy: " + error.message;
    default:
      return `The server could not answer (${error.status}): ${error.message}`;
  }
}

export function ErrorMessage({ error, what }: Props) {
  const needsSignIn = error instanceof ApiError && (error.status === 401 || (error.status === 404 && !session.get()));
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  return (
    <div class="error" role="alert">
      <p>{describe(error, what)}</p>
      {needsSignIn && (
        <p>
          <a href={`/signin?next=${next}`}>Sign in</a>
        </p>
      )}
    </div>
  );
}
