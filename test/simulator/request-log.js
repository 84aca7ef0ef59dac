'use strict';
/**
 * Every API, storage and foreign request, in arrival order, as tests need it to check what a client
 * really sent (headers, body, how often it polled). In-process callers see the raw entries, except
 * for the foreign server's (recorded already redacted: a key that reached it is a leak, and a test
 * report must not spread it further); anything that leaves the process (admin endpoints, --verbose
 * logs) goes through `redacted()`.
 */
const { keyNameOf, redactDeep, redactText } = require('./keys');

class RequestLog {
	constructor() {
		// One array for the simulator's lifetime: `sim.requests` stays valid across reset().
		this.entries = [];
	}

	/** `redact`: store headers, path and body with every key hidden; `keyPlan` still names the key. */
	record({ server, method, path, headers, body, redact = false, now = Date.now() }) {
		const entry = {
			at: now,
			server,
			method,
			path: redact ? redactText(path) : path,
			headers: redact ? redactDeep(headers) : { ...headers },
			body: redact && body !== undefined ? redactDeep(body) : body,
			status: null, // set when answered: a number, or 'reset' when the socket was dropped
			keyPlan: keyNameOf(headers.authorization),
		};
		this.entries.push(entry);
		return entry;
	}

	redacted() {
		return redactDeep(this.entries);
	}

	clear() {
		this.entries.length = 0;
	}
}

module.exports = { RequestLog };
