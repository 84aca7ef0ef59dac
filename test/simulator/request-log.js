'use strict';
/**
 * Every API and storage request, in arrival order, as tests need it to check what a client really
 * sent (headers, body, how often it polled). In-process callers see the raw entries; anything that
 * leaves the process (admin endpoints, --verbose logs) goes through `redacted()`.
 */
const { keyNameOf, redactDeep } = require('./keys');

class RequestLog {
	constructor() {
		// One array for the simulator's lifetime: `sim.requests` stays valid across reset().
		this.entries = [];
	}

	record({ server, method, path, headers, body, now = Date.now() }) {
		const entry = {
			at: now,
			server,
			method,
			path,
			headers: { ...headers },
			body,
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
