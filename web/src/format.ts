// Pure helpers of the UI: sizes, paging, query strings and chart scales.
// No DOM, so vitest checks them alone (format.test.ts).

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[i]}`;
}

// "0" or "" = unlimited; otherwise "500", "10K", "1.5M", "2G" (binary units,
// as the CLI's --quota). null when the text is not a size.
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!text.trim()) return 0;
  if (!m) return null;
  const exp = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const v = Math.round(parseFloat(m[1]) * 1024 ** exp);
  return Number.isSafeInteger(v) ? v : null;
}

export function formatQuota(used: number, quota: number): string {
  return quota > 0 ? `${formatBytes(used)} of ${formatBytes(quota)}` : `${formatBytes(used)} (no limit)`;
}

export function percent(used: number, quota: number): number {
  if (quota <= 0) return 0;
  return Math.min(100, Math.round((used / quota) * 100));
}

export interface PageInfo {
  from: number; // 1-based, 0 when empty
  to: number;
  hasPrev: boolean;
  hasNext: boolean;
}

export function pageInfo(offset: number, count: number, total: number): PageInfo {
  return {
    from: count === 0 ? 0 : offset + 1,
    to: offset + count,
    hasPrev: offset > 0,
    hasNext: offset + count < total,
  };
}

export function query(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// A round upper bound for a chart axis (1, 2, 5 x 10^n), at least 1.
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) {
    if (m * p >= max) return m * p;
  }
  return 10 * p;
}

// Points "x,y x,y ..." of a polyline for `values` in a width x height box.
export function polyline(values: number[], max: number, width: number, height: number): string {
  if (values.length === 0) return '';
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => `${round(i * step)},${round(height - (Math.max(0, v) / max) * height)}`)
    .join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min`;
}

export function hourLabel(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:00`;
}

// Targets typed one per line or separated by commas/spaces.
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
