'use strict';
/**
 * The switches that let the simulator play every undocumented part of the Perceptis API
 * (see /work/shared/perceptis-api.md, "unknown"). Defaults follow the most likely real behaviour.
 * Unknown names and bad values throw, so a typo in a test fails loudly instead of testing nothing.
 */

const DEFAULT_VARIANTS = Object.freeze({
	/** Real job duration = durationsMs[output_type] * timeScale (published: slide 3–7 min, deck 5–15 min). */
	timeScale: 1,
	durationsMs: Object.freeze({ single_slide: 300000, deck: 600000 }),
	generateSuccessStatus: 202,
	jobIdField: 'job_id',
	jobIdStyle: 'plain',
	retryAfterFormat: 'seconds',
	statusRetryAfterSeconds: null,
	errorBodyForm: 'object',
	failedErrorForm: 'object',
	extraDownloadFields: false,
	rateLimit: null,
	linkTtlMs: 60000,
	idempotencyConflictStatus: 409,
	/** Extension in `file_name` and in storage's Content-Disposition; the bytes stay a real .pptx. */
	fileNameExtension: 'pptx',
	/**
	 * null: each file is the job's own small .pptx. A number: every file served is one shared .pptx
	 * padded to about that many bytes (an uncompressed entry of random bytes), for memory benchmarks.
	 */
	fileSizeBytes: null,
});

/** Largest padded file: comfortably below Node's Buffer limit, and far above any test's needs. */
const MAX_FILE_SIZE_BYTES = 2 ** 31 - 1;

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const oneOf = (...allowed) => (v) => allowed.includes(v) || `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
const nonNegative = (v) => (isNumber(v) && v >= 0) || 'must be a number >= 0';

const CHECKS = {
	timeScale: nonNegative,
	durationsMs: (v) =>
		(v !== null &&
			typeof v === 'object' &&
			Object.entries(v).every(([k, d]) => ['single_slide', 'deck'].includes(k) && isNumber(d) && d >= 0)) ||
		'must be an object {single_slide?, deck?} of numbers >= 0',
	generateSuccessStatus: oneOf(200, 201, 202),
	jobIdField: oneOf('job_id', 'jobId', 'id'),
	jobIdStyle: oneOf('plain', 'needs-encoding'),
	retryAfterFormat: oneOf('seconds', 'http-date'),
	statusRetryAfterSeconds: (v) =>
		v === null || v === 'remaining' || (isNumber(v) && v >= 0) || "must be null, 'remaining' or a number >= 0",
	errorBodyForm: oneOf('object', 'string', 'none'),
	failedErrorForm: oneOf('object', 'string'),
	extraDownloadFields: (v) => typeof v === 'boolean' || 'must be a boolean',
	rateLimit: (v) =>
		v === null ||
		(typeof v === 'object' && Number.isInteger(v.max) && v.max >= 0 && isNumber(v.windowMs) && v.windowMs > 0) ||
		'must be null or {max: integer >= 0, windowMs: number > 0}',
	linkTtlMs: nonNegative,
	idempotencyConflictStatus: (v) => (Number.isInteger(v) && v >= 400 && v <= 599) || 'must be an HTTP error status',
	// Lowercase alphanumerics only, so the name needs no quoting or encoding in Content-Disposition.
	fileNameExtension: (v) => (typeof v === 'string' && /^[a-z0-9]{1,8}$/.test(v)) || 'must be 1 to 8 lowercase letters or digits',
	fileSizeBytes: (v) =>
		v === null || (Number.isInteger(v) && v > 0 && v <= MAX_FILE_SIZE_BYTES) || `must be null or an integer from 1 to ${MAX_FILE_SIZE_BYTES}`,
};

/** Returns `base` with `patch` applied (durationsMs merged per output type); throws on bad input. */
function mergeVariants(base, patch) {
	if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
		throw new TypeError('variants must be an object');
	}
	const next = { ...base, durationsMs: { ...base.durationsMs } };
	for (const [name, value] of Object.entries(patch)) {
		if (value === undefined) continue;
		const check = CHECKS[name];
		if (!check) throw new TypeError(`unknown simulator variant "${name}"`);
		const verdict = check(value);
		if (verdict !== true) throw new TypeError(`variant ${name} ${verdict}`);
		next[name] = name === 'durationsMs' ? { ...next.durationsMs, ...value } : value;
	}
	return next;
}

module.exports = { DEFAULT_VARIANTS, VARIANT_NAMES: Object.keys(CHECKS), mergeVariants };
