/**
 * Redirects, the one way the key could leave the configured origin: a host's HTTP client copies
 * `Authorization` onto a redirect to another host (n8n does by default). So API requests follow
 * no redirect on their own; the client follows one only when it stays within the origin, and
 * any other comes back as the 3xx answer it is, named by where it pointed.
 */
import type { HttpResponse } from '../ports';

export const isRedirect = (statusCode: number): boolean => statusCode >= 300 && statusCode < 400;

/** Same-origin redirects followed for one API request, at most (a loop ends as the 3xx it is). */
export const MAX_SAME_ORIGIN_REDIRECTS = 5;

/** Scheme, host and path of a redirect target, resolved against the URL that was asked (a query may hold a token). */
export function redirectTarget(location: unknown, askedUrl: string | undefined): string | undefined {
	const raw = Array.isArray(location) ? location[0] : location;
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	try {
		const url = new URL(raw.trim(), askedUrl);
		return `${url.protocol}//${url.host}${url.pathname}`;
	} catch {
		return raw.trim().split('?')[0].slice(0, 200);
	}
}

/**
 * The next URL of a redirect that stays within the configured origin, or undefined. 307/308 keep
 * the method and body; 301/302/303 are followed for GET only, since a POST turned into a GET
 * would not start the job.
 */
export function sameOriginRedirect(
	answer: HttpResponse,
	askedUrl: string,
	method: string,
	origin: string,
): string | undefined {
	const { statusCode } = answer;
	const keepsMethod = statusCode === 307 || statusCode === 308;
	const followable = keepsMethod || ([301, 302, 303].includes(statusCode) && method === 'GET');
	const location = answer.headers.location;
	if (!followable || typeof location !== 'string') return undefined;
	try {
		const next = new URL(location, askedUrl);
		return `${next.protocol}//${next.host}` === origin ? next.toString() : undefined;
	} catch {
		return undefined;
	}
}
