/**
 * When a loop that waits outside the node — n8n's Wait node, which parks the execution and frees
 * its worker only for waits of 65 s or more — should look at a still-running job again. A parked
 * check costs a database round trip and a worker's attention, so it is planned for when the job
 * may plausibly be done: at the server's hint if it gave one (it knows this job), else not before
 * half its earliest published end (slides 3–7 min, decks 5–15 min: a simple job can be faster, and
 * a check is free) and on the schedule after that; never past the deadline, and never sooner than
 * the loop's minimum wait (or the API's floor).
 */
import { nextCheckAt, type PollState } from './pollState';
import { TIMING } from './timing';

export interface ParkingOptions {
	/** The shortest wait the loop may take (n8n: 65 s, so the Wait node parks). */
	minWaitMs: number;
	/** The job's kind, when known: it decides when it may first be done. */
	outputType?: string;
	now: number;
}

/** The first time a job of this kind is worth a look (a kind not known: the shortest, a slide). */
function firstLookAt(state: PollState, outputType: string | undefined): number {
	const expected = outputType === 'deck' ? TIMING.expectedDurationMs.deck : TIMING.expectedDurationMs.single_slide;
	return state.startedAt + expected.from * TIMING.parkedFirstLookShare;
}

/** When the next parked check should be (ms since epoch). */
export function parkedCheckAt(state: PollState, options: ParkingOptions): number {
	const { minWaitMs, outputType, now } = options;
	// The server's hint; without one, the schedule, but not before the job may plausibly be done ...
	const planned = state.hintMs !== null ? nextCheckAt(state) : Math.max(nextCheckAt(state), firstLookAt(state, outputType));
	// ... nor past the deadline (the check there tells the user) ...
	const bounded = state.deadline === null ? planned : Math.min(planned, state.deadline);
	// ... and never a wait the loop cannot park for.
	return Math.max(bounded, now + minWaitMs);
}
