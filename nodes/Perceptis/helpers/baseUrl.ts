/**
 * The Perceptis origin as users type it, turned into the one form the transport builds URLs from.
 *
 * Users paste the origin with a trailing slash, or with the API prefix they saw in the docs
 * (`…/api`, `…/api/v1`). Those are normalised; anything else is rejected with a message that says
 * exactly what to type, because a wrong origin otherwise surfaces as a confusing 404 much later.
 */

export const DEFAULT_PERCEPTIS_ORIGIN = 'https://app.perceptis.ai';

/** The API prefix every documented path lives under. */
export const API_PREFIX = '/api/v1';

export class BaseUrlError extends Error {
	constructor(
		message: string,
		readonly remedy: string,
	) {
		super(message);
		this.name = 'BaseUrlError';
	}
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/** Returns `scheme://host[:port]` with no trailing slash, or throws a BaseUrlError. */
export function normalizeBaseUrl(raw: unknown): string {
	const typed = typeof raw === 'string' ? raw.trim() : '';
	const example = `Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN}`;
	if (typed === '') {
		return DEFAULT_PERCEPTIS_ORIGIN;
	}

	const url = parseUrl(typed);
	if (!url) throw new BaseUrlError(`The Perceptis Base URL "${typed}" is not a URL`, example);

	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new BaseUrlError(
			`The Perceptis Base URL "${typed}" uses "${url.protocol}", which is not supported`,
			`${example} (https://, or http:// for a server on this machine)`,
		);
	}
	if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
		throw new BaseUrlError(
			`The Perceptis Base URL "${typed}" uses plain http to a remote host, which would send the API key unencrypted`,
			`Use https://${url.host} instead`,
		);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new BaseUrlError(
			`The Perceptis Base URL "${typed}" contains credentials, a query or a fragment`,
			`${example}; the API key belongs in the API Key field`,
		);
	}

	const path = url.pathname.replace(/\/+$/, '');
	if (path !== '' && path !== '/api' && path !== API_PREFIX) {
		throw new BaseUrlError(
			`The Perceptis Base URL "${typed}" has the path "${url.pathname}", which the API does not use`,
			`Type ${url.protocol}//${url.host} (without "${url.pathname}")`,
		);
	}
	return `${url.protocol}//${url.host}`;
}
