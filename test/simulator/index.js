'use strict';
/**
 * Local simulator of the Perceptis API (see /work/shared/perceptis-api.md and README.md here):
 * an API server and a separate object-storage server on 127.0.0.1, both real HTTP, so the package
 * is tested through its real HTTP stack. Plain CommonJS, so `node cli.js` runs it without a build.
 */
const http = require('http');
const { KEYS, redactText } = require('./keys');
const { DEFAULT_VARIANTS, mergeVariants } = require('./variants');
const { readBody, parseLoggedBody, send, sleep, json } = require('./http-util');
const { JobStore } = require('./jobs');
const { IdempotencyStore } = require('./idempotency');
const { RateLimiter } = require('./rate-limit');
const { FaultQueue, FAULT_KINDS, faultResponse } = require('./faults');
const { createSigner } = require('./signing');
const { PptxCache } = require('./pptx');
const { RequestLog } = require('./request-log');
const { createApiHandler } = require('./api');
const { createStorageHandler } = require('./storage');
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

function closeServer(server) {
	return new Promise((resolve) => {
		if (!server.listening) return resolve();
		server.close(() => resolve());
		// Keep-alive sockets (and requests held by a `slow` fault) would otherwise hold close() open.
		server.closeAllConnections();
	});
}

async function startSimulator(options = {}) {
	const { host = '127.0.0.1', port = 0, storagePort = 0, log = null, ...variantOptions } = options;
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
	const handleStorage = createStorageHandler({ jobs, signer, pptx });

	const sim = {
		get origin() {
			return origin;
		},
		get storageOrigin() {
			return storageOrigin;
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
			await Promise.all([closeServer(apiServer), closeServer(storageServer), pptx.close()]);
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
		const canned = fault && faultResponse(fault, variants);
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

	try {
		const apiPort = await listen(apiServer, port, host);
		const filesPort = await listen(storageServer, storagePort, host);
		const hostPart = host.includes(':') ? `[${host}]` : host;
		origin = `http://${hostPart}:${apiPort}`;
		storageOrigin = `http://${hostPart}:${filesPort}`;
	} catch (error) {
		await sim.close();
		throw error;
	}
	return sim;
}

module.exports = { startSimulator, KEYS, DEFAULT_VARIANTS, TEMPLATES, FAULT_KINDS };
