/**
 * Pure figures, no waiting: seeded random durations, percentiles, and how a polling schedule meets
 * a job of a given duration (how many status requests, how late it sees the end).
 */

/** Small seeded PRNG (mulberry32): the same seed gives the same jobs on every machine. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** `count` durations in seconds, uniform in [min, max], rounded to `decimals`. */
export function uniformSeconds(random: () => number, count: number, min: number, max: number, decimals = 1): number[] {
	const factor = 10 ** decimals;
	return Array.from({ length: count }, () => Math.round((min + random() * (max - min)) * factor) / factor);
}

/** Nearest-rank percentile (p in 0..100) of numbers; NaN for none. */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[Math.min(sorted.length, rank) - 1];
}

export const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);

/**
 * A schedule: the delay in ms before the next status check of a running job, given the checks
 * answered so far (0 = the delay from the start to the first check) and the server's hint, if any.
 * The node's `nextPollDelayMs` has this shape; a fixed loop is `() => intervalMs`.
 */
export type Schedule = (pollsDone: number, hintMs?: number) => number;

export const fixedLoop = (seconds: number): Schedule => () => seconds * 1000;

export interface ScheduleFigures {
	/** Mean status requests per job. */
	requestsPerJob: number;
	/** Detection latency (check that saw the end − the end), seconds. */
	latencyP50: number;
	latencyP95: number;
	latencyMean: number;
	/** Most status requests any one job needed. */
	maxRequests: number;
}

/**
 * Plays `schedule` against jobs of the given durations (seconds), from the moment each job was
 * started (its generate answer). Without hints the schedule alone decides; with
 * `hints: 'remaining'` every answer about a running job carries Retry-After = the whole seconds it
 * still needs (as the simulator's `statusRetryAfterSeconds: 'remaining'`), and the schedule is given
 * that hint. Request latency is ignored. Bounded: at most `maxChecks` checks per job.
 */
export function simulateSchedule(
	schedule: Schedule,
	durationsSeconds: number[],
	options: { hints?: 'remaining'; maxChecks?: number } = {},
): ScheduleFigures {
	const maxChecks = options.maxChecks ?? 10_000;
	const requests: number[] = [];
	const latencies: number[] = [];
	for (const seconds of durationsSeconds) {
		const endMs = seconds * 1000;
		const hintAt = (atMs: number) =>
			options.hints === 'remaining' && atMs < endMs ? Math.max(1, Math.ceil((endMs - atMs) / 1000)) * 1000 : undefined;
		let at = 0;
		let checks = 0;
		// The first check: the delay the schedule gives after the generate answer (which may carry a hint).
		let delay = schedule(0, hintAt(0));
		for (;;) {
			if (!(delay >= 0) || !Number.isFinite(delay)) throw new Error(`the schedule gave a delay of ${delay} ms`);
			at += delay;
			checks += 1;
			if (at >= endMs || checks >= maxChecks) break;
			delay = schedule(checks, hintAt(at));
		}
		requests.push(checks);
		latencies.push(Math.max(0, at - endMs) / 1000);
	}
	return {
		requestsPerJob: mean(requests),
		latencyP50: percentile(latencies, 50),
		latencyP95: percentile(latencies, 95),
		latencyMean: mean(latencies),
		maxRequests: Math.max(...requests),
	};
}

/** The first `count` check times (seconds after the start) of a job that never ends. */
export function checkTimes(schedule: Schedule, count: number): number[] {
	const times: number[] = [];
	let at = 0;
	for (let polls = 0; polls < count; polls++) {
		at += schedule(polls);
		times.push(at / 1000);
	}
	return times;
}
