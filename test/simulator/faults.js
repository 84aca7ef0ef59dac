'use strict';
/**
 * One-shot network and server faults: each applies to the next `times` requests that match its
 * server, method and path prefix, in the order the faults were injected. They model what a
 * client meets between it and the API (proxies, CDNs, captive portals, object storage that
 * misbehaves, dropped connections), so they act before auth.
 */
const { apiError, formatRetryAfter, json, xmlError } = require('./http-util');
const { STATUS_PREFIX } = require('./api');

/**
 * - http500: JSON 500 in the configured error form.
 * - html502: an nginx-style HTML 502 page.
 * - reset: socket destroyed before the request is handled.
 * - reset-after: handled (a job is created), then the socket is destroyed: the answer is lost.
 * - slow: answers normally after delayMs (default 1000).
 * - malformed-json: 200 application/json, cut off mid-value.
 * - malformed-json-after: handled (a job is created), then the real answer is cut off mid-value.
 * - rate-limit: 429 with Retry-After (retryAfterSeconds, default 1).
 * - redirect: redirectStatus (default 307) with a Location on redirectTo ('foreign' default, 'same', 'storage').
 * - html200: 200 text/html sign-in page (captive portal, or storage's "link expired, sign in").
 * - json-without-status: 200 JSON with a job id and no `status` field.
 * - not-a-file: 200 application/octet-stream whose bytes are a text message, not a .pptx (ZIP).
 * - link-expired: 403 XML "Request has expired", what storage answers for a pre-signed link past its expiry.
 * - gone: 410 XML, what some CDNs answer for a link they no longer serve.
 */
const FAULT_KINDS = Object.freeze([
	'http500',
	'html502',
	'reset',
	'reset-after',
	'slow',
	'malformed-json',
	'rate-limit',
	'redirect',
	'html200',
	'json-without-status',
	'not-a-file',
	'malformed-json-after',
	'link-expired',
	'gone',
]);

const FAULT_SERVERS = Object.freeze(['api', 'storage', 'foreign']);
const REDIRECT_REASONS = Object.freeze({ 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' });
const REDIRECT_STATUSES = Object.freeze(Object.keys(REDIRECT_REASONS).map(Number));
const REDIRECT_TARGETS = Object.freeze(['foreign', 'same', 'storage']);

function normaliseFault(fault) {
	if (fault === null || typeof fault !== 'object') throw new TypeError('a fault must be an object');
	const known = ['method', 'path', 'server', 'kind', 'times', 'delayMs', 'retryAfterSeconds', 'redirectStatus', 'redirectTo'];
	const extra = Object.keys(fault).find((k) => !known.includes(k));
	if (extra) throw new TypeError(`unknown fault field "${extra}"`);
	if (!FAULT_KINDS.includes(fault.kind)) throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
	const server = fault.server === undefined ? 'api' : fault.server;
	if (!FAULT_SERVERS.includes(server)) throw new TypeError(`fault server must be one of ${FAULT_SERVERS.map((s) => `"${s}"`).join(', ')}`);
	const times = fault.times === undefined ? 1 : fault.times;
	if (!Number.isInteger(times) || times < 1) throw new TypeError('fault times must be an integer >= 1');
	const delayMs = fault.delayMs === undefined ? (fault.kind === 'slow' ? 1000 : 0) : fault.delayMs;
	if (typeof delayMs !== 'number' || !(delayMs >= 0)) throw new TypeError('fault delayMs must be a number >= 0');
	const retryAfterSeconds = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
	if (typeof retryAfterSeconds !== 'number' || !(retryAfterSeconds >= 0)) {
		throw new TypeError('fault retryAfterSeconds must be a number >= 0');
	}
	if (fault.method !== undefined && typeof fault.method !== 'string') throw new TypeError('fault method must be a string');
	if (fault.path !== undefined && typeof fault.path !== 'string') throw new TypeError('fault path must be a string');
	// Redirect fields on another kind would be silently ignored; a test that sets them meant a redirect.
	const redirect = fault.kind === 'redirect';
	for (const field of ['redirectStatus', 'redirectTo']) {
		if (!redirect && fault[field] !== undefined) throw new TypeError(`fault ${field} only applies to kind "redirect"`);
	}
	const redirectStatus = redirect ? (fault.redirectStatus === undefined ? 307 : fault.redirectStatus) : null;
	if (redirect && !REDIRECT_STATUSES.includes(redirectStatus)) {
		throw new TypeError(`fault redirectStatus must be one of ${REDIRECT_STATUSES.join(', ')}`);
	}
	const redirectTo = redirect ? (fault.redirectTo === undefined ? 'foreign' : fault.redirectTo) : null;
	if (redirect && !REDIRECT_TARGETS.includes(redirectTo)) {
		throw new TypeError(`fault redirectTo must be one of ${REDIRECT_TARGETS.map((t) => `"${t}"`).join(', ')}`);
	}
	return {
		server,
		method: fault.method === undefined ? null : fault.method.toUpperCase(),
		path: fault.path === undefined ? null : fault.path,
		kind: fault.kind,
		remaining: times,
		delayMs,
		retryAfterSeconds,
		redirectStatus,
		redirectTo,
	};
}

class FaultQueue {
	constructor() {
		this.faults = [];
	}

	add(fault) {
		const normalised = normaliseFault(fault);
		this.faults.push(normalised);
		return { ...normalised };
	}

	/** The fault for this request, if any; consumes one of its `times`. */
	take(server, method, url) {
		const index = this.faults.findIndex(
			(f) => f.server === server && (!f.method || f.method === method) && (!f.path || url.startsWith(f.path)),
		);
		if (index < 0) return null;
		const fault = this.faults[index];
		fault.remaining -= 1;
		if (fault.remaining === 0) this.faults.splice(index, 1);
		return fault;
	}

	pending() {
		return this.faults.map((f) => ({ ...f }));
	}

	clear() {
		this.faults = [];
	}
}

/** The short HTML body nginx sends with a redirect. */
const redirectPage = (status) => {
	const title = `${status} ${REDIRECT_REASONS[status]}`;
	return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
};

// What a captive portal, an SSO proxy or a storage "this link expired" page serves: 200, HTML, a form.
const SIGN_IN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title>
</head>
<body>
<main>
<h1>Sign in to continue</h1>
<p>Your session has expired. Please sign in again.</p>
<form method="post" action="/login">
<label>Email <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;

/**
 * Where a redirect points. 'same' marks the query (`redirected=1`) so that following it is a new,
 * distinguishable request; the API ignores the query and storage only reads expires/signature, so it
 * still works. The raw URL is appended as is: re-serialising it could change an encoded job id.
 */
function redirectLocation(fault, { server, url, origins }) {
	if (fault.redirectTo === 'storage') return `${origins.storage}${url}`;
	if (fault.redirectTo === 'same') return `${origins[server]}${url}${url.includes('?') ? '&' : '?'}redirected=1`;
	return `${origins.foreign}${url}`;
}

/** The job id a status URL names (decoded like the API does), for answers that echo it. */
function statusIdOf(url) {
	const path = url.split('?')[0];
	if (!path.startsWith(STATUS_PREFIX) || path.length === STATUS_PREFIX.length) return null;
	try {
		return decodeURIComponent(path.slice(STATUS_PREFIX.length));
	} catch {
		return path.slice(STATUS_PREFIX.length);
	}
}

/**
 * The real answer cut off mid-value (at least one character short), as a proxy that drops the end
 * of a body sends it: same status and headers, so it still claims to be JSON.
 */
function truncated(response) {
	const body = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '');
	return { ...response, body: body.slice(0, Math.max(0, Math.min(body.length - 1, Math.ceil(body.length / 2)))) };
}

/**
 * The canned answer of an answering fault kind (reset kinds, `slow` and `malformed-json-after` are handled by the dispatcher).
 * `request` is `{ server, url, origins: {api, storage, foreign} }` of the request being answered.
 */
function faultResponse(fault, variants, request, now = Date.now()) {
	switch (fault.kind) {
		case 'http500':
			return apiError(variants, 500, 'internal_error', 'Internal server error (simulated fault).');
		case 'html502':
			return {
				status: 502,
				headers: { 'content-type': 'text/html; charset=utf-8' },
				body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n',
			};
		case 'malformed-json':
			// Cut off mid-value, as when a proxy truncates the body.
			return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"job_id":"job_trunc","status":"proc' };
		case 'rate-limit':
			return apiError(variants, 429, 'rate_limit_exceeded', 'Too many requests (simulated fault).', {
				'retry-after': formatRetryAfter(fault.retryAfterSeconds, variants.retryAfterFormat, now),
			});
		case 'redirect':
			return {
				status: fault.redirectStatus,
				headers: { location: redirectLocation(fault, request), 'content-type': 'text/html; charset=utf-8' },
				body: redirectPage(fault.redirectStatus),
			};
		case 'html200':
			return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: SIGN_IN_PAGE };
		case 'json-without-status':
			return json(200, { job_id: statusIdOf(request.url) || 'job_nostatus', message: 'ok' });
		case 'link-expired':
			return xmlError(403, 'AccessDenied', 'Request has expired');
		case 'gone':
			return xmlError(410, 'Gone', 'The requested resource is no longer available.');
		case 'not-a-file':
			// The right status and a binary content type, but the bytes are a message, not a ZIP.
			return {
				status: 200,
				headers: { 'content-type': 'application/octet-stream' },
				body: 'This link has expired. Please sign in again.\n',
			};
		default:
			return null;
	}
}

module.exports = { FaultQueue, FAULT_KINDS, FAULT_SERVERS, REDIRECT_STATUSES, REDIRECT_TARGETS, faultResponse, truncated };
