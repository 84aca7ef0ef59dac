/**
 * `Retry-After`, as the API may send it on a 429 and on a status answer ("ask again then").
 * Read in one place: the governor pauses on it, the schedule takes it as the next interval.
 */

/**
 * Reads a `Retry-After` header: delay-seconds (`"7"`, also `"1.5"`) or an HTTP date.
 * Returns milliseconds from `nowMs` (never negative), or undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (typeof raw === 'number' && Number.isFinite(raw)) return Math.max(0, raw * 1000);
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	const text = raw.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.round(Number(text) * 1000));
	// Only an HTTP date (it starts with a day name); Date.parse alone reads "-1" as a year.
	if (!/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i.test(text)) return undefined;
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}
