// The admin API client (docs/openapi.yaml): JSON in and out, the session in a
// cookie, and the CSRF token from login/session sent on every state change.

export type Role = 'admin' | 'user';

export interface SessionInfo {
  user: { address: string; role: Role };
  csrf_token: string;
}

export interface Me {
  address: string;
  role: Role;
  quota_bytes: number;
  used_bytes: number;
  quota_messages: number;
  used_messages: number;
}

export interface User extends Me {
  disabled: boolean;
}

export interface Domain {
  name: string;
  users: number;
  aliases: number;
}

export interface Alias {
  alias: string;
  targets: string[];
}

export interface QueueItem {
  id: string | number;
  sender: string;
  recipients: string[];
  size: number;
  attempts: number;
  last_error: string;
  next_attempt: number | string;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Status {
  version: string;
  hostname: string;
  uptime_seconds: number;
  domains: number;
  accounts: number;
  store_bytes: number;
  queue_length: number;
  listeners: Record<string, string[]>;
}

export interface StatsHour {
  start: number;
  received: number;
  delivered: number;
  rejected: number;
  failed_logins: number;
  queue_size: number;
}

export interface DnsRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
  purpose: string;
}

export interface DnsCheck {
  type: string;
  name: string;
  expected: string;
  found: string[];
  status: 'ok' | 'missing' | 'wrong' | 'warning';
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const base = '/admin/api/';
let csrfToken = '';
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

// Called when a request finds the session gone (expired or logged out elsewhere).
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(base + path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; code?: string; field?: string };
    const err = new ApiError(
      res.status,
      e.code ?? (res.status === 404 ? 'not_found' : `http_${res.status}`),
      e.error ?? `The request failed (HTTP ${res.status}).`,
      e.field,
    );
    if (res.status === 401 && path !== 'login' && path !== 'session') onUnauthorized();
    throw err;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  del: (path: string) => call<void>('DELETE', path),
};

export const enc = encodeURIComponent;
