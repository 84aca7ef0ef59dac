/**
 * Every timing figure the node uses, in one place, so the polling behaviour can be read (and
 * changed) without hunting through the code. All values are milliseconds unless named otherwise.
 */
/** Default overall wait per job: a 10-slide deck takes 5–15 minutes, so leave room. */
export const DEFAULT_TIMEOUT_SECONDS = 1_800;

/** Jobs started and not yet finished at one time, unless the user sets another number. */
export const DEFAULT_MAX_JOBS_IN_FLIGHT = 5;

export const TIMING = {
	/** First status check after a job starts: Perceptis advises 2–5 s; jobs take minutes. */
	firstPollDelayMs: 3_000,
	/** Each later interval is the previous one times this, while the job is still running. */
	pollGrowthFactor: 1.5,
	/** Longest gap between two checks of a running job. */
	maxPollIntervalMs: 30_000,
	/** Never ask about one job more than once per second, whatever a hint says. */
	minRequestGapMs: 1_000,

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

	/** Links handed out by a status check are reused by a Download of the same job within this age. */
	linkReuseMaxAgeMs: 30_000,

	defaultTimeoutSeconds: DEFAULT_TIMEOUT_SECONDS,

	/** Per-request timeouts: generate may take a while to accept a large body with images. */
	generateRequestTimeoutMs: 120_000,
	statusRequestTimeoutMs: 60_000,
	downloadRequestTimeoutMs: 300_000,

	defaultMaxJobsInFlight: DEFAULT_MAX_JOBS_IN_FLIGHT,
} as const;
