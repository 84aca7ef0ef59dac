/**
 * Download links are pre-signed and short-lived. The output says so beside them (`downloadLinks`),
 * and a Download of the same job right after a Wait for Completion reuses the links it was
 * handed instead of asking Perceptis again within the same second (the API asks for at least a
 * second between checks of one job). Both sides of that marker live here.
 */
import { isObject, type JsonObject } from '../json';
import { TIMING } from '../pacing/timing';
import { statusOutcome } from '../wire/answers';

export interface ReusableLinks {
	downloads: JsonObject[];
	/** When the links were handed out (ms since epoch): the next status check waits a second from it. */
	fetchedAtMs: number;
	/** The incoming item's job fields, shown as the job's state until a fresh check replaces them. */
	raw: JsonObject;
}

/** The marker put beside `downloads` on every output item that has links. */
export function linksMarker(fetchedAtMs: number): JsonObject {
	return {
		shortLived: true,
		fetchedAt: new Date(fetchedAtMs).toISOString(),
		note: 'Pre-signed links that expire soon. Use the binary files, or run Perceptis "Download" with this job ID for fresh links.',
	};
}

/** An `expires_at` the API may give; a link that expires within a few seconds is not worth trying. */
function expiresSoon(entry: JsonObject, nowMs: number): boolean {
	const expiresAt = typeof entry.expires_at === 'string' ? Date.parse(entry.expires_at) : Number.NaN;
	return !Number.isNaN(expiresAt) && expiresAt < nowMs + TIMING.minRequestGapMs * 5;
}

/**
 * The links on an incoming item, when they belong to `jobId`, came from this node moments ago
 * and have not expired; otherwise undefined (the Download asks Perceptis for fresh ones).
 */
export function reusableLinks(json: JsonObject, jobId: string, nowMs: number): ReusableLinks | undefined {
	if (String(json.jobId ?? '') !== jobId || typeof json.status !== 'string') return undefined;
	if (statusOutcome(json.status) !== 'completed') return undefined;
	const marker = json.downloadLinks;
	const fetchedAtMs = isObject(marker) && typeof marker.fetchedAt === 'string' ? Date.parse(marker.fetchedAt) : Number.NaN;
	const age = nowMs - fetchedAtMs;
	if (Number.isNaN(fetchedAtMs) || age < 0 || age > TIMING.linkReuseMaxAgeMs) return undefined;
	const downloads = json.downloads;
	if (!Array.isArray(downloads) || downloads.length === 0) return undefined;
	const usable = downloads.every(
		(entry) => isObject(entry) && typeof entry.url === 'string' && /^https?:\/\//i.test(entry.url) && !expiresSoon(entry, nowMs),
	);
	if (!usable) return undefined;
	const raw: JsonObject = { ...json };
	delete raw.downloadLinks;
	return { downloads: downloads as JsonObject[], fetchedAtMs, raw };
}
