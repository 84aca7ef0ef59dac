/**
 * Every timing figure of the Perceptis client, in one place, so the polling behaviour can be read (and
 * changed) without hunting through the code. All values are milliseconds unless named otherwise.
 */
export const TIMING = {
	/** First status check after a job starts: Perceptis advises 2–5 s; jobs take minutes. */
	firstPollDelayMs: 3_000,
	/**
	 * Each later interval is the previous one times this, while the job is still running. With
	 * the cap below: 3, 9, 21, 45, 74 s, then every 29 s — fewer checks than a 10 s loop for jobs
	 * of a minute, at most 1.2 times a 30 s loop's for jobs of minutes, and never a later check
	 * than a 30 s loop's (test/bench, the pure schedule table).
	 */
	pollGrowthFactor: 2,
	/** Longest gap between two checks of a running job. */
	maxPollIntervalMs: 29_000,
	/**
	 * The last jobs of a batch decide when the run ends. Once this share of a batch's jobs is
	 * still running (the rest were seen done), each of them is checked again after at most
	 * `tailIntervalShare` of its age, so the last one is seen within a few percent of its end.
	 */
	tailStartsAtRunningShare: 0.75,
	tailIntervalShare: 0.06,
	/** Never ask about one job more than once per second, whatever a hint says. */
	minRequestGapMs: 1_000,
	/**
	 * The floor kept from the last contact with a job (the end of the last request about it): the
	 * API counts the second between arrivals, and timers and clocks of two processes may differ
	 * by a few ms; 50 ms covers that.
	 */
	minContactGapMs: 1_050,
	/** Never check a job sooner than this after its start (Perceptis advises starting at 2–5 s). */
	firstCheckMinDelayMs: 2_000,

	/** Backoff after a transient failure (429, 5xx, reset, timeout): doubles from here. */
	transientBackoffBaseMs: 2_000,
	transientBackoffMaxMs: 60_000,

	/** Starting a job is retried (with the same Idempotency-Key) at most this many times in all. */
	generateMaxAttempts: 4,
	/** Checks in a row that may fail transiently in a one-off status check or download refresh. */
	oneShotMaxAttempts: 3,
	/**
	 * 2xx answers in a row that are not a Perceptis job (an HTML page, JSON without a status) end
	 * the item: one may be a proxy's hiccup, three mean the Base URL points at something else.
	 */
	unreadableAnswersMax: 3,

	/** While steps are in flight the runner naps at most this long between looks. */
	wakeCheckMs: 1_000,

	/** Links handed out by a status check are reused by a Download of the same job within this age. */
	linkReuseMaxAgeMs: 30_000,

	/**
	 * How long jobs take, as Perceptis publishes it (for its MCP surface): a slide 3–7 minutes, a
	 * 10-slide deck 5–15 minutes. A parked loop plans its first check for the earliest end.
	 */
	expectedDurationMs: {
		single_slide: { from: 180_000, to: 420_000 },
		deck: { from: 300_000, to: 900_000 },
	},
	/**
	 * A parked loop (n8n's Wait node, 65 s at least between checks) first looks at a job after this
	 * share of its kind's earliest published end: 90 s for a slide, 150 s for a deck. Sooner would
	 * mostly find it running; at the published end itself, a faster job (a simple slide, a short
	 * deck) would wait minutes to be seen. Checks are free; a late file is not.
	 */
	parkedFirstLookShare: 0.5,
	/** Default overall wait per job, in seconds: a 10-slide deck takes 5–15 minutes, so leave room. */
	defaultTimeoutSeconds: 1_800,
	/**
	 * How long a call from an AI agent waits for its job, in seconds, before it returns the job id
	 * to come back for: chat front-ends give up after about 90 s (n8n's Chat Trigger answers 504),
	 * a deck takes minutes.
	 */
	defaultToolWaitSeconds: 60,
	/**
	 * Without a Run Timeout, a run may last the job timeout plus this: room to start every job
	 * (rate limits) and download the files of the last one.
	 */
	runTimeoutAllowanceMs: 600_000,

	/** Per-request timeouts: generate may take a while to accept a large body with images. */
	generateRequestTimeoutMs: 120_000,
	statusRequestTimeoutMs: 60_000,
	downloadRequestTimeoutMs: 300_000,

	/** The request governor (pacing/governor.ts): requests per second of one kind, at the start. */
	governorInitialRate: 16,
	/** It never goes slower than this, nor faster than that. */
	governorMinRate: 0.2,
	governorMaxRate: 100,
	/** The pace changes at most once per this window; a 429 reveals how many passed in one. */
	governorAdjustEveryMs: 1_000,
	/** After a 429, the pace stays at this share of what passed in the second before it. */
	governorCeilingFactor: 0.9,
	/** A ceiling not hit by a 429 for this long is lifted by a fifth. */
	governorCeilingLiftAfterMs: 30_000,
} as const;
