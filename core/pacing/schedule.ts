/**
 * When to ask next. Pure functions of what has happened so far (polls done, failures in a row,
 * server hints, the deadline), so the schedule can be tested without waiting.
 */
import { TIMING } from './timing';

/**
 * Delay before the next status check of a job that is still running.
 * `pollsDone` counts answered checks so far (0 = the check right after the job started).
 * A server hint (`Retry-After` on any answer) wins, but never below the one-second floor.
 */
export function nextPollDelayMs(pollsDone: number, hintMs?: number): number {
	if (hintMs !== undefined) return Math.max(TIMING.minRequestGapMs, hintMs);
	const grown = TIMING.firstPollDelayMs * Math.pow(TIMING.pollGrowthFactor, Math.max(0, pollsDone));
	return Math.min(TIMING.maxPollIntervalMs, Math.max(TIMING.minRequestGapMs, Math.round(grown)));
}

/**
 * The delay for one of the last running jobs of a batch (see TIMING.tailIntervalShare): a share
 * of the job's age, at least the one-second floor.
 */
export function tailDelayMs(ageMs: number): number {
	return Math.max(TIMING.minRequestGapMs, Math.round(ageMs * TIMING.tailIntervalShare));
}

/**
 * Delay after a transient failure (429, 5xx, reset, timeout, unreadable answer), `failures` being
 * the number of such failures in a row (1 for the first). Exponential, and never shorter than
 * the server's `Retry-After`: "wait at least that long, then back off".
 */
export function transientBackoffMs(failures: number, hintMs?: number): number {
	const exponential = Math.min(
		TIMING.transientBackoffMaxMs,
		TIMING.transientBackoffBaseMs * Math.pow(2, Math.max(0, failures - 1)),
	);
	return Math.max(TIMING.minRequestGapMs, exponential, hintMs ?? 0);
}

/**
 * The time of the next request: `now + delay`, but never past the deadline (a last check is made
 * at the deadline itself) and never sooner than one second after the previous request.
 */
export function nextDueAt(
	nowMs: number,
	delayMs: number,
	deadlineMs: number,
	lastRequestAtMs: number,
): number {
	const wanted = Math.min(nowMs + delayMs, deadlineMs);
	return Math.max(wanted, lastRequestAtMs + TIMING.minContactGapMs);
}
