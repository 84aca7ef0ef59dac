'use strict';
/**
 * Job store and lifecycle. A job's state is a pure function of the clock (created_at + its duration),
 * so no timers run and tests stay deterministic: first 10% `pending`, then `processing` with a
 * `progress`, then `completed` or `failed`. Credits are charged once, the first time anything
 * observes the job as completed (equivalent to "charged when it completes" for every observer).
 */
const crypto = require('crypto');

const PENDING_SHARE = 0.1;
const DEFAULT_DECK_SLIDES = 3;
const MAX_DECK_SLIDES = 60;

/** Prompt directives for end-to-end tests that cannot reconfigure the simulator per request. */
function parseDirectives(prompt) {
	const slides = /\[sim:slides=(\d+)\]/i.exec(prompt);
	return {
		fail: /\[sim:fail\]/i.test(prompt),
		never: /\[sim:never\]/i.test(prompt),
		credits: /\[sim:credits\]/i.test(prompt),
		slides: slides ? Math.min(MAX_DECK_SLIDES, Math.max(1, Number(slides[1]))) : null,
	};
}

/** The prompt as a person wrote it, without simulator directives (used for slide text). */
function stripDirectives(prompt) {
	return prompt.replace(/\[sim:[^\]]*\]/gi, '').replace(/\s+/g, ' ').trim();
}

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');

/**
 * Job ids. `needs-encoding` ids carry every character that breaks a naively built URL:
 * `/` (extra path segment), space, `+` (form-decoded as space), `?` (starts the query),
 * `#` (fragment, never sent) and `%41` (changes meaning if decoded twice).
 */
function newJobId(style) {
	return style === 'needs-encoding' ? `job/${hex(4)} a+b?c#d%41` : `job_${hex(12)}`;
}

class JobStore {
	constructor() {
		this.byId = new Map();
		this.byObjectKey = new Map();
	}

	create({ keyName, body, request, durationMs, idempotencyKey, idStyle, now }) {
		const directives = parseDirectives(request.prompt);
		let id;
		do id = newJobId(idStyle);
		while (this.byId.has(id));
		const job = {
			id,
			// Storage objects are addressed by a separate random key: the job id may need encoding and
			// a download link must not reveal it.
			objectKey: hex(16),
			keyPlan: keyName,
			outputType: request.outputType,
			prompt: request.prompt,
			body,
			templateName: request.templateName,
			variantCount: request.outputType === 'single_slide' ? request.variantCount : 1,
			slideCount: request.outputType === 'deck' ? directives.slides || DEFAULT_DECK_SLIDES : 1,
			outcome: directives.never ? 'never' : directives.fail ? 'failed' : 'completed',
			createdAt: now,
			durationMs,
			idempotencyKey: idempotencyKey || null,
			creditsCharged: 0,
			charged: false,
			pollTimes: [],
		};
		this.byId.set(id, job);
		this.byObjectKey.set(job.objectKey, job);
		return job;
	}

	get(id) {
		return this.byId.get(id);
	}

	byObject(objectKey) {
		return this.byObjectKey.get(objectKey);
	}

	/** { status, progress?, updatedAt, completedAt } of a job at `now`; charges credits on completion. */
	observe(job, now = Date.now()) {
		const elapsed = now - job.createdAt;
		const pendingMs = job.durationMs * PENDING_SHARE;
		if (elapsed < pendingMs) return { status: 'pending', updatedAt: job.createdAt, completedAt: null };
		if (job.outcome === 'never' || elapsed < job.durationMs) {
			const progress = job.durationMs > 0 ? Math.min(0.99, Math.round((elapsed / job.durationMs) * 100) / 100) : 0.99;
			return { status: 'processing', progress, updatedAt: job.createdAt + pendingMs, completedAt: null };
		}
		const endedAt = job.createdAt + job.durationMs;
		if (job.outcome === 'completed' && !job.charged) {
			// Billing (documented): single slide by delivered variants, deck by delivered slides.
			job.charged = true;
			job.creditsCharged = job.outputType === 'deck' ? job.slideCount : job.variantCount;
		}
		return { status: job.outcome, updatedAt: endedAt, completedAt: endedAt };
	}

	/** Number of .pptx files a completed job delivers: one per variant, or one deck. */
	fileCount(job) {
		return job.outputType === 'deck' ? 1 : job.variantCount;
	}

	snapshot(now = Date.now()) {
		return [...this.byId.values()].map((job) => {
			const state = this.observe(job, now);
			return {
				id: job.id,
				keyPlan: job.keyPlan,
				outputType: job.outputType,
				prompt: job.prompt,
				body: job.body,
				status: state.status,
				createdAt: job.createdAt,
				completedAt: state.completedAt,
				idempotencyKey: job.idempotencyKey,
				creditsCharged: job.creditsCharged,
				pollTimes: [...job.pollTimes],
				templateName: job.templateName,
				variantCount: job.variantCount,
				slideCount: job.slideCount,
			};
		});
	}

	creditsCharged(now = Date.now()) {
		let total = 0;
		for (const job of this.byId.values()) {
			this.observe(job, now);
			total += job.creditsCharged;
		}
		return total;
	}

	clear() {
		this.byId.clear();
		this.byObjectKey.clear();
	}
}

module.exports = { JobStore, parseDirectives, stripDirectives, DEFAULT_DECK_SLIDES };
