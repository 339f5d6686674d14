// A browser reduced to what a sign-in needs, over plain HTTP: follows redirects, keeps cookies
// per origin (as a browser keeps them per site; dropped when the server expires them), and
// fills the provider's sign-in and consent forms. `visit` stops at the first URL `stopAt`
// accepts and returns it without loading it, so a test can look at (or tamper with) what
// would be loaded next.
export class HttpBrowser {
  constructor() { this.jars = new Map(); }

  cookieHeader(url) {
    const jar = this.jars.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
  }
  keepCookies(url, response) {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map();
    this.jars.set(origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq), value = pair.slice(eq + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired || value === "") jar.delete(name); else jar.set(name, value);
    }
  }

  async request(url, { method = "GET", body, headers = {} } = {}) {
    const h = { ...headers };
    const cookie = this.cookieHeader(url);
    if (cookie) h.cookie = cookie;
    if (body !== undefined) h["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(url, { method, body, headers: h, redirect: "manual" });
    this.keepCookies(url, res);
    return { status: res.status, location: res.headers.get("location"), headers: res.headers, text: await res.text() };
  }

  // Loads url and follows redirects and forms until stopAt(url) is true (that URL is
  // returned) or a page without a form is reached (an error: its status and text are thrown).
  async visit(url, { login, stopAt, maxSteps = 20 }) {
    let next = { url, method: "GET" };
    for (let step = 0; step < maxSteps; step++) {
      if (stopAt(next.url)) return next.url;
      const r = await this.request(next.url, { method: next.method, body: next.body });
      if (r.status >= 300 && r.status < 400 && r.location) {
        next = { url: new URL(r.location, next.url).href, method: "GET" };
        continue;
      }
      const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(r.text);
      if (r.status !== 200 || !form) throw new Error(`${next.url} answered ${r.status}: ${r.text.slice(0, 400)}`);
      const fields = new URLSearchParams();
      for (const [input] of form[2].matchAll(/<input[^>]*>/gi)) {
        const name = /\bname="([^"]+)"/.exec(input), value = /\bvalue="([^"]*)"/.exec(input);
        if (name) fields.set(name[1], value ? value[1] : "");
      }
      if (fields.has("login")) { fields.set("login", login); fields.set("password", "any"); }
      next = { url: new URL(form[1].replace(/&amp;/g, "&"), next.url).href, method: "POST", body: fields.toString() };
    }
    throw new Error(`no end after ${maxSteps} steps from ${url}`);
  }
}
