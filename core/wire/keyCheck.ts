/**
 * Whether a key works, for a host's Test button, at no cost. Perceptis has no endpoint that
 * answers 2xx without starting a paid job, so the check asks for the status of a job id that
 * cannot exist: a working key on an eligible plan gets the API's JSON 404 (`{"error": …}`),
 * which is the one answer that counts as success. 401 is the key, 403 the plan; a 404 without
 * the API's error body, or a 2xx, means something else answers at that origin.
 *
 * The n8n credential says the same in n8n's declarative test (credentials/PerceptisApi…); a
 * host that can run code calls this.
 */
import { failureFromAnswer, failureFromNetwork, type Failure } from './failures';
import { isNetworkFailure, isSuccess } from './http';
import type { PerceptisClient } from './client';
import { isObject } from '../json';

/** The job id the check asks about: no job is ever called this. */
export const KEY_CHECK_JOB_ID = 'perceptis-key-check-no-such-job';

export type KeyCheck = { works: true } | { works: false; failure: Failure };

export async function checkKey(client: PerceptisClient, nowMs: number): Promise<KeyCheck> {
	const answer = await client.status(KEY_CHECK_JOB_ID);
	if (isNetworkFailure(answer)) return { works: false, failure: failureFromNetwork(answer) };
	const { statusCode } = answer;
	if (statusCode === 404) {
		if (isObject(answer.body) && answer.body.error !== undefined) return { works: true };
		return { works: false, failure: { kind: 'endpoint_not_found', transient: false, httpCode: 404 } };
	}
	if (isSuccess(statusCode)) {
		return {
			works: false,
			failure: { kind: 'unreadable_answer', transient: false, httpCode: statusCode, answerShape: 'a job for an id that cannot exist' },
		};
	}
	return { works: false, failure: failureFromAnswer(answer, 'status', nowMs) };
}

/** What the Test button says when the key works. */
export function keyWorksMessage(origin: string): string {
	return `The key works: Perceptis at ${origin} accepted it, and its plan includes API access. The test asked about a job that does not exist, so it spent no credits.`;
}
