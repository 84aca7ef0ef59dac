/**
 * The request governor: one per node run, it paces every API request of the run (starts, status
 * checks, link refreshes) so that a batch goes as fast as the API allows and no faster.
 *
 * Perceptis publishes no numbers, only that it rate-limits starts and status checks and answers
 * 429 with `Retry-After`. So each kind of request has a pace that starts moderate and doubles
 * each second in which it held requests back and drew no 429 (like TCP's slow start). A 429 shows
 * the limit: the pace drops below the number of requests that succeeded in the second before it,
 * and never grows past that again in this run. A `Retry-After` pauses every request of the run,
 * not just the job that got it: the limit is the key's, not the job's. Downloads go to the storage
 * host and are not paced here.
 */
import { parseRetryAfterMs } from './retryAfter';
import { TIMING } from './timing';
import type { PerceptisClient } from '../wire/client';
import { isNetworkFailure, type FileAnswer, type HttpAnswer, type NetworkFailure } from '../wire/http';

export type ApiRoute = 'generate' | 'status';

export interface GovernorClock {
	now(): number;
	/** Resolves after `ms`, or at once when the run is over (cancelled or past its deadline). */
	sleep(ms: number): Promise<void>;
	/** The run is over: no request may start any more. */
	over(): boolean;
}

/** The pace of one kind of request. */
class Pace {
	/** Requests per second allowed now. */
	rate: number = TIMING.governorInitialRate;
	/** A rate known to draw 429s: the pace stays below it. */
	ceiling = Number.POSITIVE_INFINITY;
	/** The earliest time the next request may go. */
	nextSlotAt = 0;
	/** When the rate last changed (it changes at most once a second). */
	changedAt: number;
	/** When the last 429 lowered the pace. */
	limitedAt = 0;
	/** Whether a 429 of this kind's own set the ceiling (else it was taken from the other kind). */
	metOwnLimit = false;
	/** Whether the pace held a request back since it last changed: only then is growing useful. */
	heldBack = false;
	/** When recent requests that got a normal answer were sent: the limit a 429 reveals. */
	readonly answered: number[] = [];

	constructor(now: number) {
		this.changedAt = now;
	}

	answeredWithin(windowMs: number, now: number): number {
		while (this.answered.length && this.answered[0] < now - windowMs) this.answered.shift();
		return this.answered.length;
	}
}

export class RequestGovernor {
	private readonly paces: Record<ApiRoute, Pace>;
	/** A `Retry-After` pause that holds every request of the run. */
	private pausedUntil = 0;
	/** What the run saw, for tests and figures. */
	readonly counts = { requests: 0, rateLimited: 0 };

	constructor(private readonly clock: GovernorClock) {
		const now = clock.now();
		this.paces = { generate: new Pace(now), status: new Pace(now) };
	}

	/** Current requests per second for a route (for tests and figures). */
	rateOf(route: ApiRoute): number {
		return this.paces[route].rate;
	}

	/**
	 * Waits until a request of this kind may go. Returns false when the run ended first, or when
	 * a pause runs past `deadline`: the request is then not sent at all.
	 */
	async acquire(route: ApiRoute, deadline: number): Promise<boolean> {
		const pace = this.paces[route];
		for (;;) {
			if (this.clock.over()) return false;
			const now = this.clock.now();
			if (this.pausedUntil > deadline) return false;
			const slot = Math.max(now, this.pausedUntil, pace.nextSlotAt);
			if (slot > deadline) return false;
			if (slot <= now) {
				pace.nextSlotAt = now + 1000 / pace.rate;
				this.counts.requests += 1;
				return true;
			}
			if (pace.nextSlotAt > now && pace.nextSlotAt >= this.pausedUntil) pace.heldBack = true;
			// Claim nothing while asleep: a 429 during the sleep may move the pause or the pace.
			await this.clock.sleep(slot - now);
		}
	}

	/**
	 * What the API answered to a request of this kind, sent at `sentAt`: it steers the pace.
	 */
	report(route: ApiRoute, sentAt: number, statusCode: number, headers: Record<string, unknown>): void {
		const pace = this.paces[route];
		const now = this.clock.now();
		if (statusCode !== 429) {
			pace.answered.push(sentAt);
			if (now - pace.changedAt < TIMING.governorAdjustEveryMs || !pace.heldBack) return;
			// A second in which the pace held requests back and drew no 429: double, up to the
			// ceiling; a ceiling unchallenged for long is lifted a little (the key's other users
			// may have gone quiet).
			if (pace.rate >= pace.ceiling && now - pace.limitedAt >= TIMING.governorCeilingLiftAfterMs) {
				pace.ceiling *= 1.2;
				pace.limitedAt = now;
			}
			pace.rate = Math.min(TIMING.governorMaxRate, pace.ceiling, pace.rate * 2);
			pace.changedAt = now;
			pace.heldBack = false;
			return;
		}
		this.counts.rateLimited += 1;
		const retryAfterMs = parseRetryAfterMs(headers['retry-after'], now) ?? TIMING.transientBackoffBaseMs;
		this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
		// Only the first 429 of a burst lowers the pace: the others were already on their way.
		if (pace.changedAt > sentAt) return;
		// What passed in the second before, but at least half the pace: another user of the key
		// may have spent most of the limit.
		const passed = pace.answeredWithin(TIMING.governorAdjustEveryMs, sentAt);
		const limit = Math.min(pace.rate, pace.ceiling, Math.max(passed, pace.rate / 2));
		this.lower(pace, limit, now);
		pace.metOwnLimit = true;
		// The other kind has not met a limit of its own yet: it likely shares this one (or has one
		// alike), so it follows it down instead of finding it with 429s of its own; its ceiling
		// lifts if not.
		for (const other of Object.values(this.paces)) {
			if (other !== pace && !other.metOwnLimit && other.ceiling > pace.ceiling) this.lower(other, limit, now);
		}
	}

	private lower(pace: Pace, limit: number, now: number): void {
		pace.ceiling = limit * TIMING.governorCeilingFactor;
		pace.rate = Math.max(TIMING.governorMinRate, pace.ceiling * TIMING.governorCeilingFactor);
		pace.changedAt = now;
		pace.limitedAt = now;
		pace.heldBack = false;
	}
}

/** A request the governor did not let go: the run ended, or its pause outlasts the run. */
export const NOT_SENT: NetworkFailure = { networkCode: 'ERR_CANCELED', url: '' };

/**
 * The client of a run with the governor in front of its API requests. `deadline` is the end
 * of the run: a request that could only go after it is not sent.
 */
export function governedClient(
	client: PerceptisClient,
	governor: RequestGovernor,
	deadline: () => number,
	clockNow: () => number,
): PerceptisClient {
	const governed = async (route: ApiRoute, send: () => Promise<HttpAnswer | NetworkFailure>) => {
		if (!(await governor.acquire(route, deadline()))) return NOT_SENT;
		const sentAt = clockNow();
		const answer = await send();
		if (!isNetworkFailure(answer)) governor.report(route, sentAt, answer.statusCode, answer.headers);
		return answer;
	};
	return {
		origin: client.origin,
		generate: async (body, key) => await governed('generate', async () => await client.generate(body, key)),
		status: async (jobId) => await governed('status', async () => await client.status(jobId)),
		downloadFile: async (url): Promise<FileAnswer | NetworkFailure> => await client.downloadFile(url),
	};
}
