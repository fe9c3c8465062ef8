// The one way the page talks to the server: the public HTTP API under /api, with the user's API token.
// Errors arrive as problem+json and become ApiError, which keeps the field the server named.

const TOKEN_KEY = 'agentry.token';

export type Problem = { field?: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(value: string | null) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event('agentry:token'));
}

/** `/api/workspaces/{ws}{path}`, with the workspace name escaped. */
export function wsPath(workspace: string, path: string): string {
  return `/api/workspaces/${encodeURIComponent(workspace)}${path}`;
}

type Init = { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal };

export async function api<T = unknown>(path: string, init: Init = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
  const t = token();
  if (t && !headers.Authorization) headers.Authorization = `Bearer ${t}`;
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, signal: init.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The server cannot be reached. Is `agentry serve` running?');
  }
  if (response.status === 401 && t) {
    saveToken(null); // the token was revoked or expired: back to the sign-in screen
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const p = (json ?? {}) as { detail?: string; title?: string; field?: string; problems?: Problem[] };
    throw new ApiError(response.status, p.detail ?? p.title ?? `HTTP ${response.status}`, p.field, p.problems ?? []);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** The message to show for a failed request, naming the field when the server named one. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) return e.field ? `${e.field}: ${e.message}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
