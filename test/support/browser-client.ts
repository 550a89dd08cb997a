/**
 * A minimal cookie-keeping HTTP client for page tests: it signs in through the login
 * form, remembers cookies, and reads each page's CSRF token like a browser would submit it.
 */
export class PageClient {
  private cookies = new Map<string, string>();
  csrf = "";

  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
    const res = await fetch(this.baseUrl + path, { headers: this.headers(), redirect: "manual" });
    this.keep(res);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text) ?? /name="csrf-token" content="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1] as string;
    return { status: res.status, text, headers: res.headers };
  }

  /** Posts a form the way the page's form does (with the page's CSRF token unless given). */
  async post(
    path: string,
    form: Record<string, string | string[]>,
    withCsrf = true,
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const body = new URLSearchParams();
    if (withCsrf) body.append("_csrf", this.csrf);
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const res = await fetch(this.baseUrl + path, {
      method: "POST",
      headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    this.keep(res);
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  /** Uploads one file the way a browser's file form does: multipart, the CSRF token in the action URL. */
  async postFile(
    action: string,
    field: string,
    content: Buffer,
    filename: string,
    type: string,
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(content)], { type }), filename);
    const res = await fetch(this.baseUrl + action, { method: "POST", body: form, headers: this.headers(), redirect: "manual" });
    this.keep(res);
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  /** A download the way the browser fetches it (GET, or a form POST with the page's CSRF token): the raw bytes. */
  async download(
    path: string,
    form?: Record<string, string | string[]>,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> {
    let init: RequestInit = { headers: this.headers(), redirect: "manual" };
    if (form) {
      const body = new URLSearchParams({ _csrf: this.csrf });
      for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      init = {
        ...init,
        method: "POST",
        headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded" },
        body,
      };
    }
    const res = await fetch(this.baseUrl + path, init);
    this.keep(res);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.get("/login");
    const res = await this.post("/login", { email, password });
    if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}: ${res.text.slice(0, 300)}`);
  }

  /** The cookies as a Cookie header, for a Socket.IO client signed in as this page. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private headers(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {};
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = (pair ?? "").indexOf("=");
      const name = (pair ?? "").slice(0, eq);
      const value = (pair ?? "").slice(eq + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
