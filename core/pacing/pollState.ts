/**
 * Where a job's checking stands, as data: a plain, serialisable object that a host can keep
 * beside the job (n8n's output item, a Node-RED message, a ledger entry) and hand back later, and
 * one pure function that says when the next check is due. Whoever checks the job next — the
 * same run, a retry, another node, a parked loop — plans from the same facts, and no answer of
 * `nextCheckAt` is ever under one second after the previous contact with the job.
 */
import { nextDueAt, nextPollDelayMs, tailDelayMs } from './schedule';

export interface PollState {
	/** When the job started, or when this client began to watch a job started elsewhere (ms since epoch). */
	startedAt: number;
	/** Status checks answered so far. */
	checksMade: number;
	/** The last request about the job, its start included (ms since epoch); the 1 s floor runs from here. */
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
 * When the next check is due (ms since epoch). The schedule lengthens the interval as checks
 * go by (pacing/timing.ts); a server hint wins; one of a batch's last running jobs (`tail`) is
 * checked after a share of its age instead, unless the server hinted. Never past the deadline
 * (a last check is made at the deadline itself), never sooner than 1 s after the last contact.
 */
export function nextCheckAt(state: PollState, tail = false): number {
	const hint = state.hintMs ?? undefined;
	const planned = nextPollDelayMs(state.checksMade, hint);
	const delay = tail && hint === undefined ? Math.min(planned, tailDelayMs(state.lastAnswerAt - state.startedAt)) : planned;
	return nextDueAt(state.lastAnswerAt, delay, state.deadline ?? Number.POSITIVE_INFINITY, state.lastContactAt);
}

/** Until when the server asked not to be asked again (ms since epoch); 0 when it did not. */
export function hintedUntil(state: PollState): number {
	return state.hintMs === null ? 0 : state.lastAnswerAt + nextPollDelayMs(state.checksMade, state.hintMs);
}
