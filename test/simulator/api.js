'use strict';
/**
 * The Perceptis API routes: POST /api/v1/generate and GET /api/v1/status/{job_id}.
 * Order of checks per request: route, auth (401/403), rate limit (429), then the route's own rules.
 */
const { authorize } = require('./keys');
const { json, apiError, formatRetryAfter } = require('./http-util');
const { validateGenerate } = require('./validate');
const { parseDirectives } = require('./jobs');
const { fileName } = require('./pptx');
const { objectPath, objectId } = require('./storage');

const GENERATE_PATH = '/api/v1/generate';
const STATUS_PREFIX = '/api/v1/status/';

const iso = (ms) => new Date(ms).toISOString();

/** 'generate' | 'status' | null for a request path (query already removed). */
function routeOf(path) {
	if (path === GENERATE_PATH) return 'generate';
	if (path.startsWith(STATUS_PREFIX) && path.length > STATUS_PREFIX.length && !path.slice(STATUS_PREFIX.length).includes('/')) return 'status';
	return null;
}

/** The job a raw status id names, or undefined (undecodable ids name none). */
function jobOfRawId(jobs, rawId) {
	let id;
	try {
		id = decodeURIComponent(rawId);
	} catch {
		return undefined;
	}
	return jobs.get(id);
}

/** The JSON body of a generate request, or undefined unless it is declared and parses as JSON. */
function jsonBodyOf(req) {
	const mediaType = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
	if (mediaType !== 'application/json') return undefined;
	try {
		return JSON.parse(req.rawBody.toString('utf8'));
	} catch {
		return undefined;
	}
}

/**
 * Which job a request to the API server contacts, decided on arrival, before faults, rate limits
 * and the answer: { job, kind: 'status' } for a GET /api/v1/status/{id} of an existing job with its
 * owner's key; { job, kind: 'replay' } for a POST /api/v1/generate whose Idempotency-Key and body
 * replay one of the key's jobs; else null (a new job's creation is recorded by the store itself;
 * another key's, an invalid key's or an unknown id's request contacts no job). Reads only.
 */
function contactOf(req, { jobs, idempotency }) {
	const route = routeOf(req.url.split('?')[0]);
	if (!route || req.method !== (route === 'generate' ? 'POST' : 'GET')) return null;
	const auth = authorize(req.headers.authorization);
	if (!auth.ok) return null;
	if (route === 'status') {
		const job = jobOfRawId(jobs, req.url.split('?')[0].slice(STATUS_PREFIX.length));
		return job && job.keyPlan === auth.keyName ? { job, kind: 'status' } : null;
	}
	const idempotencyKey = req.headers['idempotency-key'];
	if (!idempotencyKey) return null;
	const body = jsonBodyOf(req);
	if (body === undefined) return null;
	const previous = idempotency.lookup(auth.keyName, idempotencyKey, body);
	const job = previous.kind === 'replay' ? jobs.get(previous.jobId) : undefined;
	return job ? { job, kind: 'replay' } : null;
}

function createApiHandler({ variants, jobs, idempotency, limiter, signer, pptx, storageOrigin }) {
	/**
	 * Retry-After on 2xx generate/status answers, when `statusRetryAfterSeconds` asks for it: a fixed
	 * number of seconds, or with 'remaining' the whole seconds `job` still needs (rounded up, at least
	 * 1; a `[sim:never]` job past its duration says 1) and nothing once the job has ended.
	 */
	function hintHeaders(v, now, job) {
		const hint = v.statusRetryAfterSeconds;
		if (hint === null) return {};
		if (hint !== 'remaining') return { 'retry-after': formatRetryAfter(hint, v.retryAfterFormat, now) };
		if (!job || jobs.observe(job, now).outcome !== null) return {};
		const remainingSeconds = (job.createdAt + job.durationMs - now) / 1000;
		return { 'retry-after': formatRetryAfter(remainingSeconds, v.retryAfterFormat, now) };
	}

	function rateLimited(v, keyName, bucket, now) {
		const verdict = limiter.hit(`${keyName}\n${bucket}`, v.rateLimit, now);
		if (verdict.allowed) return null;
		return apiError(v, 429, 'rate_limit_exceeded', `Rate limit exceeded for ${bucket} requests; retry later.`, {
			'retry-after': formatRetryAfter(verdict.retryAfterSeconds, v.retryAfterFormat, now),
		});
	}

	function generate(v, keyName, req, now) {
		const mediaType = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
		if (mediaType !== 'application/json') {
			return apiError(v, 400, 'invalid_request', 'Content-Type must be application/json.');
		}
		let body;
		try {
			body = JSON.parse(req.rawBody.toString('utf8'));
		} catch {
			return apiError(v, 400, 'invalid_request', 'The request body is not valid JSON.');
		}
		const idempotencyKey = req.headers['idempotency-key'] || null;
		if (idempotencyKey) {
			// Checked before validation and job creation, synchronously, so two racing retries cannot both create a job.
			const previous = idempotency.lookup(keyName, idempotencyKey, body);
			if (previous.kind === 'conflict') {
				return apiError(v, v.idempotencyConflictStatus, 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body.');
			}
			if (previous.kind === 'replay') {
				const headers = { ...previous.response.headers, 'idempotent-replayed': 'true' };
				if (v.statusRetryAfterSeconds === 'remaining') {
					// The replayed answer speaks for the job as it is now, not as it was when created.
					delete headers['retry-after'];
					const job = jobs.get(previous.jobId);
					if (job) Object.assign(headers, hintHeaders(v, now, job));
				}
				return { ...previous.response, headers };
			}
		}
		const verdict = validateGenerate(body);
		if (!verdict.ok) return apiError(v, 400, verdict.code, verdict.message);
		const directives = parseDirectives(verdict.request.prompt);
		if (directives.credits) {
			return apiError(v, 402, 'insufficient_credits', "The organisation's credit pool is exhausted.");
		}
		// `[sim:seconds=N]` sets this job's duration; otherwise the output type's.
		const baseMs = directives.seconds !== null ? directives.seconds * 1000 : v.durationsMs[verdict.request.outputType] || 0;
		const job = jobs.create({
			keyName,
			body,
			request: verdict.request,
			durationMs: baseMs * v.timeScale,
			idempotencyKey,
			idStyle: v.jobIdStyle,
			now,
		});
		const response = json(
			v.generateSuccessStatus,
			{ [v.jobIdField]: job.id, status: 'pending', output_type: job.outputType, created_at: iso(job.createdAt) },
			hintHeaders(v, now, job),
		);
		if (idempotencyKey) idempotency.remember(keyName, idempotencyKey, body, job.id, response);
		return response;
	}

	async function downloads(v, job, now) {
		const items = [];
		for (let index = 0; index < jobs.fileCount(job); index += 1) {
			const path = objectPath(objectId(job, index));
			const link = signer.sign(path, v.linkTtlMs, now);
			const item = { url: `${storageOrigin()}${path}?${link.query}`, slide_count: job.slideCount };
			if (v.extraDownloadFields) {
				item.file_name = fileName(job, index, v.fileNameExtension);
				item.variant_index = index;
				item.expires_at = iso(link.expires);
				item.size_bytes = (await pptx.get(job, index, v.fileSizeBytes)).length;
			}
			items.push(item);
		}
		return items;
	}

	async function status(v, keyName, rawId, now) {
		const job = jobOfRawId(jobs, rawId);
		// Another key's job answers exactly like an unknown one (documented 404), revealing nothing.
		if (!job || job.keyPlan !== keyName) return apiError(v, 404, 'not_found', 'No job with this id exists for this API key.');
		job.pollTimes.push(now);
		const state = jobs.observe(job, now);
		const payload = {
			job_id: job.id,
			status: state.status,
			output_type: job.outputType,
			created_at: iso(job.createdAt),
			updated_at: iso(state.updatedAt),
		};
		if (state.progress !== undefined) payload.progress = state.progress;
		// By outcome, not by the reported word: `[sim:status=completed]` reports "completed" with no downloads.
		if (state.outcome === 'completed') payload.downloads = await downloads(v, job, now);
		if (state.outcome === 'failed') {
			const message = 'The generation failed (simulated by [sim:fail]). No credits were charged.';
			payload.error = v.failedErrorForm === 'string' ? message : { code: 'generation_failed', message };
		}
		return json(200, payload, hintHeaders(v, now, job));
	}

	return async function handleApi(req, now = Date.now()) {
		const v = variants();
		const path = req.url.split('?')[0];
		const route = routeOf(path);
		if (!route) return apiError(v, 404, 'not_found', `No route for ${req.method} ${path}.`);
		const expected = route === 'generate' ? 'POST' : 'GET';
		if (req.method !== expected) {
			return apiError(v, 405, 'method_not_allowed', `Use ${expected} for ${route === 'generate' ? GENERATE_PATH : `${STATUS_PREFIX}{job_id}`}.`, { allow: expected });
		}
		const auth = authorize(req.headers.authorization);
		if (!auth.ok) {
			return apiError(v, auth.status, auth.code, auth.message, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
		}
		const limited = rateLimited(v, auth.keyName, route, now);
		if (limited) return limited;
		if (route === 'generate') return generate(v, auth.keyName, req, now);
		return status(v, auth.keyName, path.slice(STATUS_PREFIX.length), now);
	};
}

module.exports = { createApiHandler, contactOf, GENERATE_PATH, STATUS_PREFIX };
