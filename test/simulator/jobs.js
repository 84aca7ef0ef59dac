'use strict';
/**
 * Job store and lifecycle. A job's state is a pure function of the clock (created_at + its duration),
 * so no timers run and tests stay deterministic: first 10% `pending`, then `processing` with a
 * `progress`, then `completed` or `failed` (or the words the prompt directives ask for). Credits are
 * charged once, the first time anything observes the job as completed (equivalent to "charged when
 * it completes" for every observer).
 */
const crypto = require('crypto');

const PENDING_SHARE = 0.1;
const DEFAULT_DECK_SLIDES = 3;
const MAX_DECK_SLIDES = 60;

/**
 * Prompt directives for end-to-end tests that cannot reconfigure the simulator per request.
 * `status` and `running` words are kept exactly as typed (case included): they play an API that
 * reports a status word the documentation does not list, and a client must not normalise it away.
 */
function parseDirectives(prompt) {
	const slides = /\[sim:slides=(\d+)\]/i.exec(prompt);
	const status = /\[sim:status=([A-Za-z0-9_-]+)\]/i.exec(prompt);
	const running = /\[sim:running=([A-Za-z0-9_-]+)\]/i.exec(prompt);
	const seconds = /\[sim:seconds=(\d+(?:\.\d+)?|\.\d+)\]/i.exec(prompt);
	const failFirst = /\[sim:failfirst=(\d+)\]/i.exec(prompt);
	return {
		fail: /\[sim:fail\]/i.test(prompt),
		// The first N jobs of this prompt (per API key) fail, later ones complete: a job that fails once and works on a retry.
		failFirst: failFirst ? Number(failFirst[1]) : 0,
		never: /\[sim:never\]/i.test(prompt),
		credits: /\[sim:credits\]/i.test(prompt),
		slides: slides ? Math.min(MAX_DECK_SLIDES, Math.max(1, Number(slides[1]))) : null,
		status: status ? status[1] : null,
		running: running ? running[1] : null,
		nofiles: /\[sim:nofiles\]/i.test(prompt),
		// This job's duration in seconds before time scaling (overrides durationsMs for this job).
		seconds: seconds ? Number(seconds[1]) : null,
	};
}

/**
 * How a job ends: `never` wins over `[sim:status=…]`, which wins over `[sim:fail]` and
 * `[sim:failfirst=N]` (`earlier`: jobs of the same key and prompt created before this one).
 */
function outcomeOf(directives, earlier = 0) {
	if (directives.never) return 'never';
	if (directives.status) return 'custom';
	return directives.fail || earlier < directives.failFirst ? 'failed' : 'completed';
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

/**
 * How closely a job was checked, in O(1) memory: counts, the last contact and running minima, never
 * the list of times. All times are Date.now() values, so every gap is real wall-clock ms whatever
 * `timeScale` is (it scales job durations only). The start (job creation) is the first contact.
 */
function newContactRecord(startAt) {
	return {
		startAt,
		replays: 0,
		statusChecks: 0,
		firstCheckAt: null,
		lastCheckAt: null,
		minCheckGapMs: null,
		lastContactAt: startAt,
		minContactGapMs: null,
	};
}

const minOf = (current, value) => (current === null || value < current ? value : current);

/** Per-job record as reported by checkGaps(); `contacts` counts the start too. */
function contactReport(job) {
	const c = job.contacts;
	return {
		id: job.id,
		keyPlan: job.keyPlan,
		createdAt: c.startAt,
		contacts: 1 + c.replays + c.statusChecks,
		replays: c.replays,
		statusChecks: c.statusChecks,
		firstCheckAt: c.firstCheckAt,
		lastCheckAt: c.lastCheckAt,
		firstCheckGapMs: c.firstCheckAt === null ? null : c.firstCheckAt - c.startAt,
		minCheckGapMs: c.minCheckGapMs,
		minContactGapMs: c.minContactGapMs,
	};
}

class JobStore {
	constructor() {
		this.byId = new Map();
		this.byObjectKey = new Map();
	}

	create({ keyName, body, request, durationMs, idempotencyKey, idStyle, now }) {
		const directives = parseDirectives(request.prompt);
		let earlier = 0;
		if (directives.failFirst > 0) {
			for (const other of this.byId.values()) if (other.keyPlan === keyName && other.prompt === request.prompt) earlier += 1;
		}
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
			outcome: outcomeOf(directives, earlier),
			// The word reported once the duration has passed when outcome is 'custom'.
			finalStatus: directives.status,
			// Reported instead of both `pending` and `processing` when set.
			runningStatus: directives.running,
			noFiles: directives.nofiles,
			createdAt: now,
			durationMs,
			idempotencyKey: idempotencyKey || null,
			creditsCharged: 0,
			charged: false,
			pollTimes: [],
			// Contact record (see noteContact): a few numbers, whatever the number of contacts.
			contacts: newContactRecord(now),
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

	/**
	 * { status, outcome, progress?, updatedAt, completedAt } of a job at `now`; charges credits on
	 * completion. `status` is the word the API reports; `outcome` is what really happened, null while
	 * running, else 'completed' | 'failed' | 'custom' (a `[sim:status=…]` word, even if that word is
	 * "completed": such a job delivers nothing). Callers decide on downloads and errors by `outcome`.
	 */
	observe(job, now = Date.now()) {
		const elapsed = now - job.createdAt;
		const pendingMs = job.durationMs * PENDING_SHARE;
		if (elapsed < pendingMs) {
			return { status: job.runningStatus || 'pending', outcome: null, updatedAt: job.createdAt, completedAt: null };
		}
		if (job.outcome === 'never' || elapsed < job.durationMs) {
			const progress = job.durationMs > 0 ? Math.min(0.99, Math.round((elapsed / job.durationMs) * 100) / 100) : 0.99;
			return { status: job.runningStatus || 'processing', outcome: null, progress, updatedAt: job.createdAt + pendingMs, completedAt: null };
		}
		const endedAt = job.createdAt + job.durationMs;
		if (job.outcome === 'completed' && !job.charged) {
			// Billing (documented): single slide by delivered variants, deck by delivered slides; no files, no charge.
			job.charged = true;
			if (this.fileCount(job) > 0) job.creditsCharged = job.outputType === 'deck' ? job.slideCount : job.variantCount;
		}
		const status = job.outcome === 'custom' ? job.finalStatus : job.outcome;
		return { status, outcome: job.outcome, updatedAt: endedAt, completedAt: endedAt };
	}

	/** Number of .pptx files a completed job delivers: one per variant, or one deck ([sim:nofiles]: none). */
	fileCount(job) {
		if (job.noFiles) return 0;
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

	/**
	 * Records a contact of the job's owner at `at` (Date.now() when the request arrived): kind
	 * 'status' (a GET /api/v1/status/{id}, whatever it was answered) or 'replay' (an idempotent
	 * POST /api/v1/generate that replays this job). The job's creation is its first contact.
	 */
	noteContact(job, kind, arrivedAt = Date.now()) {
		if (kind !== 'status' && kind !== 'replay') throw new Error(`unknown contact kind ${kind}`);
		const c = job.contacts;
		// Arrivals come in order; a clock stepping back must not make a negative gap.
		const at = Math.max(arrivedAt, c.lastContactAt);
		c.minContactGapMs = minOf(c.minContactGapMs, at - c.lastContactAt);
		c.lastContactAt = at;
		if (kind === 'replay') {
			c.replays += 1;
			return;
		}
		if (c.lastCheckAt !== null) c.minCheckGapMs = minOf(c.minCheckGapMs, at - c.lastCheckAt);
		if (c.firstCheckAt === null) c.firstCheckAt = at;
		c.lastCheckAt = at;
		c.statusChecks += 1;
	}

	/**
	 * How closely each job was checked (creation order) and the minima over all of them; gaps in
	 * real ms, null where there is nothing to measure.
	 */
	checkGaps() {
		const jobs = [...this.byId.values()].map(contactReport);
		const overall = { statusChecks: 0, minCheckGapMs: null, minFirstCheckGapMs: null, maxFirstCheckGapMs: null, minContactGapMs: null };
		for (const job of jobs) {
			overall.statusChecks += job.statusChecks;
			if (job.minCheckGapMs !== null) overall.minCheckGapMs = minOf(overall.minCheckGapMs, job.minCheckGapMs);
			if (job.firstCheckGapMs !== null) {
				overall.minFirstCheckGapMs = minOf(overall.minFirstCheckGapMs, job.firstCheckGapMs);
				if (overall.maxFirstCheckGapMs === null || job.firstCheckGapMs > overall.maxFirstCheckGapMs) overall.maxFirstCheckGapMs = job.firstCheckGapMs;
			}
			if (job.minContactGapMs !== null) overall.minContactGapMs = minOf(overall.minContactGapMs, job.minContactGapMs);
		}
		return { jobs, ...overall };
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
