/**
 * Where a job's checking stands, as data: a plain, serialisable object that a host can keep
 * beside the job (n8n's output item, a Node-RED message, a ledger entry) and hand back later, and
 * pure functions that say when the next check may and should be. Whoever checks the job next —
 * the same run, a retry, another node, a parked loop — plans from the same facts, and no answer
 * is ever under one second after the previous contact with the job, nor a first check under two
 * seconds after its start.
 */
import { nextDueAt, nextPollDelayMs, tailDelayMs } from './schedule';
import { TIMING } from './timing';
import { isObject, type JsonObject } from '../json';

export interface PollState {
	/** When the job started, or when this client began to watch a job started elsewhere (ms since epoch). */
	startedAt: number;
	/** Status checks answered so far. */
	checksMade: number;
	/**
	 * The end of the last request about the job, its start included (ms since epoch; the send time
	 * while one is on its way): the server saw it by then, so the 1 s floor runs from here.
	 */
	lastContactAt: number;
	/** When the last answer about the job came (ms since epoch): the next interval runs from here. */
	lastAnswerAt: number;
	/** The end of the wait for this job (ms since epoch); null when there is none. */
	deadline: number | null;
	/** The server's own advice on its last answer (`Retry-After`, ms); null when it gave none. */
	hintMs: number | null;
}

/** A job just started (or first seen) at `now`, with the start's answer's hint, if any. */
export function startedPoll(now: number, deadline: number | null, hintMs?: number): PollState {
	return { startedAt: now, checksMade: 0, lastContactAt: now, lastAnswerAt: now, deadline, hintMs: hintMs ?? null };
}

/**
 * The API's floor, whatever the schedule says: one second after the last contact, and a first
 * check two seconds after the start at the earliest.
 */
export function earliestCheckAt(state: PollState): number {
	const afterContact = state.lastContactAt + TIMING.minContactGapMs;
	return state.checksMade === 0 ? Math.max(afterContact, state.startedAt + TIMING.firstCheckMinDelayMs) : afterContact;
}

/**
 * When the next check is due (ms since epoch). The schedule lengthens the interval as checks
 * go by (pacing/timing.ts); a server hint wins; one of a batch's last running jobs (`tail`) is
 * checked after a share of its age instead, unless the server hinted. Never past the deadline
 * (a last check is made at the deadline itself), never before `earliestCheckAt`.
 */
export function nextCheckAt(state: PollState, tail = false): number {
	const hint = state.hintMs ?? undefined;
	const planned = nextPollDelayMs(state.checksMade, hint);
	const delay = tail && hint === undefined ? Math.min(planned, tailDelayMs(state.lastAnswerAt - state.startedAt)) : planned;
	const due = nextDueAt(state.lastAnswerAt, delay, state.deadline ?? Number.POSITIVE_INFINITY, state.lastContactAt);
	return Math.max(due, earliestCheckAt(state));
}

/** The state with no time after `now`: a state from a machine whose clock runs ahead must not hold a check back. */
export function clampedToNow(state: PollState, now: number): PollState {
	return {
		...state,
		startedAt: Math.min(state.startedAt, now),
		lastContactAt: Math.min(state.lastContactAt, now),
		lastAnswerAt: Math.min(state.lastAnswerAt, now),
	};
}

/** Until when the server asked not to be asked again (ms since epoch); 0 when it did not. */
export function hintedUntil(state: PollState): number {
	return state.hintMs === null ? 0 : state.lastAnswerAt + nextPollDelayMs(state.checksMade, state.hintMs);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The poll state as it travels on an item or a message: times as ISO strings, readable by people and by `pollFromJson`. */
export function pollToJson(state: PollState): JsonObject {
	return {
		startedAt: iso(state.startedAt),
		checksMade: state.checksMade,
		lastContactAt: iso(state.lastContactAt),
		lastAnswerAt: iso(state.lastAnswerAt),
		deadline: state.deadline === null ? null : iso(state.deadline),
		retryAfterMs: state.hintMs,
	};
}

function timeOf(value: unknown): number | undefined {
	const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
	return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The poll state an item or message carries for `jobId` (`{jobId, poll}`), or undefined when it
 * carries none, one of another job, or one that does not read (hand-edited, from a future
 * version): a wrong state must never make a check come sooner, so anything odd is dropped.
 */
export function pollFromJson(json: unknown, jobId: string): PollState | undefined {
	if (!isObject(json) || String(json.jobId ?? '') !== jobId || !isObject(json.poll)) return undefined;
	const poll = json.poll;
	const startedAt = timeOf(poll.startedAt);
	const lastContactAt = timeOf(poll.lastContactAt);
	const lastAnswerAt = timeOf(poll.lastAnswerAt) ?? lastContactAt;
	const checksMade = typeof poll.checksMade === 'number' && Number.isInteger(poll.checksMade) && poll.checksMade >= 0 ? poll.checksMade : undefined;
	if (startedAt === undefined || lastContactAt === undefined || lastAnswerAt === undefined || checksMade === undefined) return undefined;
	const hint = poll.retryAfterMs;
	return {
		startedAt,
		checksMade,
		lastContactAt,
		lastAnswerAt,
		deadline: timeOf(poll.deadline) ?? null,
		hintMs: typeof hint === 'number' && Number.isFinite(hint) && hint >= 0 ? hint : null,
	};
}
