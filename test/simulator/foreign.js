'use strict';
/**
 * The "foreign" server: another host, which must never receive the API key. Redirects (the
 * `redirect` fault) and tests point clients at it; it answers everything with a plausible Perceptis
 * status answer, so a client that follows a redirect blindly and sends its key gets no error to
 * notice. The request log records what it received, redacted, so a test can prove the leak.
 */
const { json } = require('./http-util');

function createForeignHandler() {
	return async function handleForeign() {
		return json(200, { job_id: 'foreign-job', status: 'processing' });
	};
}

module.exports = { createForeignHandler };
