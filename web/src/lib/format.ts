// How times, durations and money read on the page.

export function duration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (ms < 5_000) return 'just now';
  return `${duration(ms).replace(/ \d+ (s|m)$/, '')} ago`;
}

export function clock(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

export function usd(value: number | undefined): string {
  if (value === undefined) return '';
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}
