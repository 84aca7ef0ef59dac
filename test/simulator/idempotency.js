'use strict';
/**
 * Idempotency-Key store, scoped per API key (a different key never replays another key's job).
 * Documented: same key + same body is a safe retry (the same job, no new charge); same key +
 * different body fails with `idempotency_conflict`. Bodies are compared as canonical JSON, so
 * a retry that merely reorders fields is still the same request.
 */

/** JSON with object keys sorted at every level. */
function canonicalJson(value) {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		return `{${Object.keys(value)
			.sort()
			.filter((k) => value[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

class IdempotencyStore {
	constructor() {
		this.entries = new Map();
	}

	/** { kind: 'miss' } | { kind: 'replay', response } | { kind: 'conflict' } */
	lookup(keyName, idempotencyKey, body) {
		const entry = this.entries.get(`${keyName}\n${idempotencyKey}`);
		if (!entry) return { kind: 'miss' };
		if (entry.body !== canonicalJson(body)) return { kind: 'conflict' };
		return { kind: 'replay', response: entry.response, jobId: entry.jobId };
	}

	/** Remembers the answer that created a job, to replay it byte for byte. */
	remember(keyName, idempotencyKey, body, jobId, response) {
		this.entries.set(`${keyName}\n${idempotencyKey}`, { body: canonicalJson(body), jobId, response });
	}

	clear() {
		this.entries.clear();
	}
}

module.exports = { IdempotencyStore, canonicalJson };
