/**
 * What comes back from a request, as the rest of the core sees it: an HTTP answer (any status),
 * a file answer (the first bytes, and the rest to stream), or a `NetworkFailure` when no answer
 * came at all. Failures are plain values holding only an error code and a query-less URL: a
 * host's error object may hold the request's headers, and with them the key.
 */
import type { BodyStream } from '../ports';

export interface HttpAnswer {
	/** The URL that gave this answer (after redirects within the origin): scheme, host and path. */
	url: string;
	statusCode: number;
	headers: Record<string, unknown>;
	/** The body parsed as JSON when it is JSON, else the raw text ('' when empty). */
	body: unknown;
}

/** A file's bytes as a host keeps them: the download stream, or a small file's bytes. */
export type FileContent = Buffer | BodyStream;

export interface FileAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	/** The first bytes (up to FILE_HEAD_BYTES), to tell a file from a page before keeping it. */
	head: Buffer;
	/** The whole body, head included: read it once, or `discard()` it. */
	content: FileContent;
	/** Ends the download without reading the rest. */
	discard(): void;
}

/** A request that got no HTTP answer at all: refused, reset, timed out or cancelled. */
export interface NetworkFailure {
	/** A network error code such as ECONNREFUSED, ETIMEDOUT or ERR_CANCELED. */
	networkCode: string;
	/** Scheme, host and path only: the query of a pre-signed link is a credential of its own. */
	url: string;
}

export function isNetworkFailure(value: unknown): value is NetworkFailure {
	return typeof value === 'object' && value !== null && 'networkCode' in value;
}

/** The API documents no success code (200, 201, 202 are all plausible): any 2xx is one. */
export function isSuccess(statusCode: number): boolean {
	return statusCode >= 200 && statusCode < 300;
}

/**
 * Worth asking again after a wait, whoever answered: the API (429, 5xx, 408 from a proxy) or the
 * storage host behind a download link.
 */
export function isTransientStatus(statusCode: number): boolean {
	return statusCode === 408 || statusCode === 429 || statusCode >= 500;
}

export const withoutQuery = (url: string): string => url.split('?')[0];

const NETWORK_CODE_PATTERN = /\b(E[A-Z_]{3,}|ERR_[A-Z_]+)\b/;

/** Digs the low-level error code out of whatever a host's HTTP client threw, without keeping the object. */
export function networkCodeOf(error: unknown): string {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (typeof candidate.code === 'string' && NETWORK_CODE_PATTERN.test(candidate.code)) {
			return candidate.code;
		}
		if (typeof candidate.message === 'string') {
			const match = NETWORK_CODE_PATTERN.exec(candidate.message);
			if (match) return match[1];
			if (/timeout/i.test(candidate.message)) return 'ETIMEDOUT';
			if (/cancel|abort/i.test(candidate.message)) return 'ERR_CANCELED';
		}
		current = candidate.cause;
	}
	return 'ENETWORK';
}
