'use strict';
/**
 * One-shot network and server faults: each applies to the next `times` requests that match its
 * server, method and path prefix, in the order the faults were injected. They model what a
 * client meets between it and the API (proxies, dropped connections), so they act before auth.
 */
const { apiError, formatRetryAfter } = require('./http-util');

const FAULT_KINDS = Object.freeze(['http500', 'html502', 'reset', 'reset-after', 'slow', 'malformed-json', 'rate-limit']);

function normaliseFault(fault) {
	if (fault === null || typeof fault !== 'object') throw new TypeError('a fault must be an object');
	const known = ['method', 'path', 'server', 'kind', 'times', 'delayMs', 'retryAfterSeconds'];
	const extra = Object.keys(fault).find((k) => !known.includes(k));
	if (extra) throw new TypeError(`unknown fault field "${extra}"`);
	if (!FAULT_KINDS.includes(fault.kind)) throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
	const server = fault.server === undefined ? 'api' : fault.server;
	if (server !== 'api' && server !== 'storage') throw new TypeError('fault server must be "api" or "storage"');
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
	return {
		server,
		method: fault.method === undefined ? null : fault.method.toUpperCase(),
		path: fault.path === undefined ? null : fault.path,
		kind: fault.kind,
		remaining: times,
		delayMs,
		retryAfterSeconds,
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

/** The canned answer of an answering fault kind (reset kinds and `slow` are handled by the dispatcher). */
function faultResponse(fault, variants, now = Date.now()) {
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
		default:
			return null;
	}
}

module.exports = { FaultQueue, FAULT_KINDS, faultResponse };
