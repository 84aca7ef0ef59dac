'use strict';
/**
 * Admin endpoints under /__sim/ on the API origin, for tests and demos that run the simulator in
 * another process. They are not recorded in the request log and never return an API key.
 */
const { json } = require('./http-util');
const { redactDeep } = require('./keys');

const ADMIN_PREFIX = '/__sim/';

const isAdminPath = (url) => url === '/__sim' || url.startsWith(ADMIN_PREFIX);

function createAdminHandler(sim) {
	const ok = (value) => json(200, redactDeep(value));
	const fail = (status, message, code = 'invalid_request') => json(status, { error: { code, message } });

	function parse(req) {
		try {
			return { ok: true, value: JSON.parse(req.rawBody.toString('utf8') || 'null') };
		} catch {
			return { ok: false };
		}
	}

	return function handleAdmin(req) {
		const route = `${req.method} ${req.url.split('?')[0]}`;
		switch (route) {
			case 'GET /__sim/requests':
				return ok(sim.requests);
			case 'GET /__sim/jobs':
				return ok(sim.jobs());
			case 'GET /__sim/check-gaps':
				// How closely each job was checked (real wall-clock ms), and the minima over all jobs.
				return ok(sim.checkGaps());
			case 'GET /__sim/state':
				return ok({
					// All three servers, so a client in another process can aim at the foreign one too.
					origins: { api: sim.origin, storage: sim.storageOrigin, foreign: sim.foreignOrigin },
					variants: sim.variants,
					creditsCharged: sim.creditsCharged(),
					faults: sim.pendingFaults(),
				});
			case 'POST /__sim/reset':
				sim.reset();
				return ok({ ok: true });
			case 'POST /__sim/config':
			case 'POST /__sim/faults': {
				const body = parse(req);
				if (!body.ok) return fail(400, 'The body must be JSON.');
				try {
					if (route === 'POST /__sim/config') return ok({ variants: sim.configure(body.value) });
					return ok({ fault: sim.injectFault(body.value) });
				} catch (error) {
					return fail(400, error.message);
				}
			}
			default:
				return fail(404, `No admin route ${route}. Routes: GET /__sim/requests, GET /__sim/jobs, GET /__sim/check-gaps, GET /__sim/state, POST /__sim/reset, POST /__sim/config, POST /__sim/faults.`, 'not_found');
		}
	};
}

module.exports = { createAdminHandler, isAdminPath };
