'use strict';
/**
 * HTTP helpers shared by the API, storage and admin handlers. Handlers return plain response
 * objects `{ status, headers, body }` instead of writing to `res`, so the dispatcher can still
 * decide what reaches the wire (the `reset-after` fault handles a request fully, then drops it).
 */

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** What the request log shows: parsed JSON if it parses, else the raw text, else undefined. */
function parseLoggedBody(raw) {
	if (!raw || raw.length === 0) return undefined;
	const text = raw.toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

function json(status, value, headers = {}) {
	return {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
		body: JSON.stringify(value),
	};
}

/**
 * An API error in the configured `errorBodyForm`: the documented `{"error":{"code","message"}}`,
 * a bare `{"error":"message"}`, or no body at all (documented possibility for 401).
 */
function apiError(variants, status, code, message, headers = {}) {
	if (variants.errorBodyForm === 'none') return { status, headers: { ...headers }, body: '' };
	const error = variants.errorBodyForm === 'string' ? message : { code, message };
	return json(status, { error }, headers);
}

/**
 * A Retry-After value that is never shorter than `seconds`: delta-seconds (rounded up, at least 1),
 * or an IMF-fixdate rounded up to the next whole second, since an HTTP date cannot say less.
 */
function formatRetryAfter(seconds, format, now = Date.now()) {
	const wholeSeconds = Math.max(1, Math.ceil(seconds));
	if (format === 'http-date') return new Date(Math.ceil((now + wholeSeconds * 1000) / 1000) * 1000).toUTCString();
	return String(wholeSeconds);
}

function xmlError(status, code, message, extra = '') {
	const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return {
		status,
		headers: { 'content-type': 'application/xml' },
		body:
			'<?xml version="1.0" encoding="UTF-8"?>\n' +
			`<Error><Code>${code}</Code><Message>${escape(message)}</Message>${extra}` +
			`<RequestId>SIM${Date.now().toString(16).toUpperCase()}</RequestId></Error>`,
	};
}

/** Writes a response object; HEAD answers get the headers only. */
function send(req, res, response) {
	const body = response.body === undefined ? '' : response.body;
	const length = Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body);
	res.writeHead(response.status, { ...response.headers, 'content-length': length });
	res.end(req.method === 'HEAD' ? undefined : body);
}

const sleep = (ms) =>
	new Promise((resolve) => {
		// unref: a pending `slow` fault must not keep a test process alive after close().
		setTimeout(resolve, ms).unref();
	});

module.exports = { readBody, parseLoggedBody, json, apiError, formatRetryAfter, xmlError, send, sleep };
