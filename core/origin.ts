/**
 * The Perceptis origin as users type it, turned into the one form the transport builds URLs from.
 *
 * Users paste the origin with a trailing slash, or with the API prefix they saw in the docs
 * (`…/api`, `…/api/v1`). Those are normalised; anything else is rejected with a message that says
 * exactly what to type, because a wrong origin otherwise surfaces as a confusing 404 much later.
 *
 * The rules live in one self-contained function, `checkOrigin`, that the node calls and that the
 * credential's Test button runs inside n8n's expression sandbox: the two cannot disagree.
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

/** Why `checkOrigin` refused a Base URL: the letter after the `!` it returns. */
export const ORIGIN_REFUSALS = {
	notAUrl: 'a',
	scheme: 'b',
	credentials: 'c',
	queryOrFragment: 'd',
	plainHttpToRemote: 'e',
	path: 'f',
} as const;

/**
 * Each refusal in words for the credential's Test button, which cannot quote what was typed (its
 * messages are fixed); the node's own errors quote it (normalizeBaseUrl).
 */
export const ORIGIN_REFUSAL_HINTS: Record<(typeof ORIGIN_REFUSALS)[keyof typeof ORIGIN_REFUSALS], string> = {
	a: `The Base URL is not a URL. Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN}.`,
	b: `The Base URL must start with https:// (or http:// for a server on this machine), for example ${DEFAULT_PERCEPTIS_ORIGIN}.`,
	c: `The Base URL contains a user name or password. Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN}; the API key belongs in the API Key field.`,
	d: `The Base URL contains a query or a fragment. Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN}; the API key belongs in the API Key field.`,
	e: 'The Base URL uses plain http to a remote host, which would send the API key unencrypted. Use https:// instead.',
	f: `The Base URL has a path the Perceptis API does not use. Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN} (…/api and …/api/v1 are accepted too).`,
};

/**
 * Returns `scheme://host[:port]` for a usable Base URL, or `!` and the letter of the refusal
 * (ORIGIN_REFUSALS). Plain `http` is allowed only to this machine, since it would carry the key
 * unencrypted.
 *
 * Self-contained on purpose, and written for n8n's expression sandbox too: no imports, no outer
 * names, no URL class (the sandbox has none), no nested `}}`. The credential embeds this function's
 * source in its test request (see credentials/PerceptisApi.credentials.ts).
 */
export function checkOrigin(raw: unknown): string {
	const typed = typeof raw === 'string' ? raw.trim() : '';
	if (typed === '') return 'https://app.perceptis.ai';
	const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(typed);
	if (!schemeMatch) return '!a';
	const scheme = schemeMatch[1].toLowerCase();
	if (scheme !== 'https' && scheme !== 'http') return '!b';
	const parts = /^[A-Za-z]+:\/\/([^/?#]*)([^?#]*)([?#][\s\S]*)?$/.exec(typed);
	if (!parts || parts[1] === '') return '!a';
	if (parts[1].indexOf('@') >= 0) return '!c';
	if (parts[3] !== undefined && parts[3] !== '') return '!d';
	const hostAndPort = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+)(:(\d{1,5}))?$/.exec(parts[1]);
	if (!hostAndPort) return '!a';
	const host = hostAndPort[1].toLowerCase();
	const port = hostAndPort[3];
	const loopback = host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3})(\.\d{1,3})(\.\d{1,3})$/.test(host);
	if (scheme === 'http' && !loopback) return '!e';
	const path = parts[2].replace(/\/+$/, '');
	if (path !== '' && path !== '/api' && path !== '/api/v1') return '!f';
	const defaultPort = scheme === 'https' ? '443' : '80';
	return scheme + '://' + host + (port && port !== defaultPort ? ':' + port : '');
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/** Returns `scheme://host[:port]` with no trailing slash, or throws a BaseUrlError that says what to type. */
export function normalizeBaseUrl(raw: unknown): string {
	const verdict = checkOrigin(raw);
	if (!verdict.startsWith('!')) return verdict;

	const typed = typeof raw === 'string' ? raw.trim() : '';
	const url = parseUrl(typed);
	const example = `Type the origin only, for example ${DEFAULT_PERCEPTIS_ORIGIN}`;
	switch (verdict.slice(1)) {
		case ORIGIN_REFUSALS.scheme:
			return refuse(
				`The Perceptis Base URL "${typed}" uses "${url?.protocol ?? typed.split(':')[0] + ':'}", which is not supported`,
				`${example} (https://, or http:// for a server on this machine)`,
			);
		case ORIGIN_REFUSALS.plainHttpToRemote:
			return refuse(
				`The Perceptis Base URL "${typed}" uses plain http to a remote host, which would send the API key unencrypted`,
				`Use https://${url?.host ?? 'the same host'} instead`,
			);
		case ORIGIN_REFUSALS.credentials:
		case ORIGIN_REFUSALS.queryOrFragment:
			return refuse(
				`The Perceptis Base URL "${typed}" contains credentials, a query or a fragment`,
				`${example}; the API key belongs in the API Key field`,
			);
		case ORIGIN_REFUSALS.path:
			return refuse(
				`The Perceptis Base URL "${typed}" has the path "${url?.pathname ?? ''}", which the API does not use`,
				url ? `Type ${url.protocol}//${url.host} (without "${url.pathname}")` : example,
			);
		default:
			return refuse(`The Perceptis Base URL "${typed}" is not a URL`, example);
	}
}

function refuse(message: string, remedy: string): never {
	throw new BaseUrlError(message, remedy);
}
