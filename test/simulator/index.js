'use strict';
/**
 * Local simulator of the Perceptis API (see /work/shared/perceptis-api.md and README.md here):
 * an API server and a separate object-storage server on 127.0.0.1, plus a "foreign" server on
 * another loopback address (127.0.0.2: genuinely another host) that must never see the API key.
 * All real HTTP, so the package is tested through its real HTTP stack. Plain CommonJS, so
 * `node cli.js` runs it without a build.
 */
const http = require('http');
const { KEYS, redactText } = require('./keys');
const { DEFAULT_VARIANTS, mergeVariants } = require('./variants');
const { readBody, parseLoggedBody, send, sleep, json } = require('./http-util');
const { JobStore } = require('./jobs');
const { IdempotencyStore } = require('./idempotency');
const { RateLimiter } = require('./rate-limit');
const { FaultQueue, FAULT_KINDS, faultResponse, truncated } = require('./faults');
const { createSigner } = require('./signing');
const { PptxCache } = require('./pptx');
const { RequestLog } = require('./request-log');
const { createApiHandler, contactOf } = require('./api');
const { createStorageHandler } = require('./storage');
const { createForeignHandler } = require('./foreign');
const { createAdminHandler, isAdminPath } = require('./admin');
const { TEMPLATES } = require('./validate');

function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve(server.address().port);
		});
	});
}

const originOf = (host, port) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * The foreign server listens on another loopback address, so it is another host by name too (a
 * client that compares hostnames, not origins, still must not send the key there). Linux routes all
 * of 127/8 to loopback; where only 127.0.0.1 exists (macOS by default) it falls back to `host` on
 * its own port, which is still another origin.
 */
async function listenForeign(server, port, foreignHost, host, log) {
	try {
		return { host: foreignHost, port: await listen(server, port, foreignHost) };
	} catch (error) {
		if (log) log(`foreign server cannot listen on ${foreignHost} (${error.code || error.message}); using ${host}`);
		return { host, port: await listen(server, port, host) };
	}
}

function closeServer(server) {
	return new Promise((resolve) => {
		if (!server.listening) return resolve();
		server.close(() => resolve());
		// Keep-alive sockets (and requests held by a `slow` fault) would otherwise hold close() open.
		server.closeAllConnections();
	});
}

async function startSimulator(options = {}) {
	const {
		host = '127.0.0.1',
		port = 0,
		storagePort = 0,
		foreignHost = '127.0.0.2',
		foreignPort = 0,
		log = null,
		...variantOptions
	} = options;
	const initialVariants = mergeVariants(DEFAULT_VARIANTS, variantOptions);
	let variants = initialVariants;

	const jobs = new JobStore();
	const idempotency = new IdempotencyStore();
	const limiter = new RateLimiter();
	const faults = new FaultQueue();
	const pptx = new PptxCache();
	const requestLog = new RequestLog();
	const signer = createSigner();
	let storageOrigin = '';
	let foreignOrigin = '';
	let origin = '';

	const handleApi = createApiHandler({
		variants: () => variants,
		jobs,
		idempotency,
		limiter,
		signer,
		pptx,
		storageOrigin: () => storageOrigin,
	});
	const handleStorage = createStorageHandler({ variants: () => variants, jobs, signer, pptx });
	const handleForeign = createForeignHandler();

	const sim = {
		get origin() {
			return origin;
		},
		get storageOrigin() {
			return storageOrigin;
		},
		get foreignOrigin() {
			return foreignOrigin;
		},
		keys: KEYS,
		get requests() {
			return requestLog.entries;
		},
		get variants() {
			return JSON.parse(JSON.stringify(variants));
		},
		jobs: () => jobs.snapshot(),
		creditsCharged: () => jobs.creditsCharged(),
		checkGaps: () => jobs.checkGaps(),
		configure(patch) {
			variants = mergeVariants(variants, patch);
			return sim.variants;
		},
		injectFault: (fault) => faults.add(fault),
		pendingFaults: () => faults.pending(),
		reset() {
			requestLog.clear();
			jobs.clear();
			idempotency.clear();
			faults.clear();
			limiter.clear();
			pptx.clear();
			signer.clear();
			variants = initialVariants;
		},
		async close() {
			await Promise.all([closeServer(apiServer), closeServer(storageServer), closeServer(foreignServer), pptx.close()]);
		},
	};
	const handleAdmin = createAdminHandler(sim);

	async function dispatch(serverName, handler, req, res) {
		const rawBody = await readBody(req);
		const request = { method: req.method, url: req.url, headers: req.headers, rawBody };
		if (serverName === 'api' && isAdminPath(req.url)) return send(req, res, handleAdmin(request));

		const entry = requestLog.record({
			server: serverName,
			method: req.method,
			path: req.url,
			headers: req.headers,
			body: parseLoggedBody(rawBody),
			redact: serverName === 'foreign',
		});
		// A check of a job counts on arrival, whatever the answer (a fault, a 429, a dropped socket):
		// the client did ask. Only API requests: one sent to another host never reached the API.
		const contact = serverName === 'api' ? contactOf(request, { jobs, idempotency }) : null;
		if (contact) jobs.noteContact(contact.job, contact.kind, entry.at);
		// A client that hangs up before the answer is complete (a Stop, a timeout) is recorded with the time.
		res.on('close', () => {
			if (!res.writableFinished && entry.status !== 'reset') entry.clientClosedAt = Date.now();
		});
		const finish = (status) => {
			entry.status = status;
			if (log) log(`${serverName} ${req.method} ${redactText(req.url)} -> ${status}`);
		};
		const drop = () => {
			finish('reset');
			req.socket.destroy();
		};

		const fault = faults.take(serverName, req.method, req.url);
		if (fault && fault.delayMs > 0) await sleep(fault.delayMs);
		if (fault && fault.kind === 'reset') return drop();
		const origins = { api: origin, storage: storageOrigin, foreign: foreignOrigin };
		const canned = fault && faultResponse(fault, variants, { server: serverName, url: req.url, origins });
		if (canned) {
			finish(canned.status);
			return send(req, res, canned);
		}

		let response;
		try {
			response = await handler(request);
		} catch (error) {
			// A simulator bug must show up as a loud 500, not as a hung request.
			if (log) log(`simulator error: ${error && error.stack}`);
			response = json(500, { error: { code: 'simulator_error', message: String(error && error.message) } });
		}
		if (fault && fault.kind === 'reset-after') return drop(); // handled (job created), answer lost in transit
		// Handled (job created), the answer's end lost on the way.
		if (fault && fault.kind === 'malformed-json-after') response = truncated(response);
		finish(response.status);
		send(req, res, response);
	}

	const serve = (serverName, handler) =>
		http.createServer((req, res) => {
			dispatch(serverName, handler, req, res).catch((error) => {
				if (log) log(`simulator error: ${error && error.stack}`);
				req.socket.destroy();
			});
		});
	const apiServer = serve('api', handleApi);
	const storageServer = serve('storage', handleStorage);
	const foreignServer = serve('foreign', handleForeign);

	try {
		origin = originOf(host, await listen(apiServer, port, host));
		storageOrigin = originOf(host, await listen(storageServer, storagePort, host));
		const foreign = await listenForeign(foreignServer, foreignPort, foreignHost, host, log);
		foreignOrigin = originOf(foreign.host, foreign.port);
	} catch (error) {
		await sim.close();
		throw error;
	}
	return sim;
}

module.exports = { startSimulator, KEYS, DEFAULT_VARIANTS, TEMPLATES, FAULT_KINDS };
