/**
 * Why a request or a job did not give what was asked, as one value (`Failure`) that the error
 * table (errors/table.ts) turns into words. The documented error code decides where there is
 * one; the status code otherwise; 401 and 403 always win, so a key or plan problem is never
 * reported as anything else.
 */
import { describeAnswerShape, readApiError } from './answers';
import { isSuccess, isTransientStatus, type HttpAnswer, type NetworkFailure } from './http';
import { isRedirect, redirectTarget } from './redirects';
import { parseRetryAfterMs } from '../pacing/retryAfter';

export type FailureKind =
	| 'unauthorized'
	| 'plan_not_eligible'
	| 'job_not_found'
	| 'endpoint_not_found'
	| 'rate_limited'
	| 'invalid_request'
	| 'ambiguous_template_name'
	| 'idempotency_conflict'
	| 'insufficient_credits'
	| 'server_error'
	| 'unreadable_answer'
	| 'network'
	| 'http_error'
	| 'redirected'
	| 'job_failed'
	| 'job_ended'
	| 'job_not_completed'
	| 'no_files'
	| 'not_a_file'
	| 'deadline_exceeded'
	| 'run_timeout'
	| 'cancelled'
	| 'download_failed';

/** One reason a request or a job did not give what was asked, before it becomes a node error. */
export interface Failure {
	kind: FailureKind;
	/** Worth asking again (after a wait): 429, 5xx, resets, timeouts, unreadable 2xx bodies. */
	transient: boolean;
	httpCode?: number;
	apiCode?: string;
	apiMessage?: string;
	retryAfterMs?: number;
	networkCode?: string;
	/** Where a redirect pointed: scheme, host and path only (a query may hold a token). */
	location?: string;
	/** What an unreadable answer or a wrong file looked like, in words ("an HTML page …"). */
	answerShape?: string;
}

const CODE_KINDS: Record<string, FailureKind> = {
	invalid_request: 'invalid_request',
	ambiguous_template_name: 'ambiguous_template_name',
	idempotency_conflict: 'idempotency_conflict',
	rate_limit_exceeded: 'rate_limited',
	insufficient_credits: 'insufficient_credits',
};

function kindFromStatus(statusCode: number, endpoint: 'generate' | 'status'): FailureKind {
	if (statusCode === 401) return 'unauthorized';
	if (statusCode === 403) return 'plan_not_eligible';
	if (statusCode === 404) return endpoint === 'status' ? 'job_not_found' : 'endpoint_not_found';
	if (statusCode === 409) return 'idempotency_conflict';
	if (statusCode === 402) return 'insufficient_credits';
	if (statusCode === 429) return 'rate_limited';
	// After 429: what else is worth asking again is a server error to the user.
	if (isTransientStatus(statusCode)) return 'server_error';
	if (statusCode === 400 || statusCode === 422) return 'invalid_request';
	return 'http_error';
}

/**
 * Why a non-2xx answer (or a 2xx answer with an unreadable body) failed. The documented error
 * code decides where there is one; the status code decides otherwise. 401 and 403 always win,
 * so a key problem is never reported as anything else.
 */
export function failureFromAnswer(
	answer: HttpAnswer,
	endpoint: 'generate' | 'status',
	nowMs: number,
): Failure {
	if (isRedirect(answer.statusCode)) {
		// The transport follows redirects within the origin only; the key never goes elsewhere.
		return {
			kind: 'redirected',
			transient: false,
			httpCode: answer.statusCode,
			location: redirectTarget(answer.headers.location, answer.url),
		};
	}
	const { code, message } = readApiError(answer.body);
	const retryAfterMs = parseRetryAfterMs(answer.headers['retry-after'], nowMs);
	if (isSuccess(answer.statusCode)) {
		return {
			kind: 'unreadable_answer',
			transient: true,
			httpCode: answer.statusCode,
			retryAfterMs,
			answerShape: describeAnswerShape(answer.body),
		};
	}
	const kind =
		answer.statusCode === 401 || answer.statusCode === 403
			? kindFromStatus(answer.statusCode, endpoint)
			: (code && CODE_KINDS[code]) || kindFromStatus(answer.statusCode, endpoint);
	const transient = kind === 'rate_limited' || kind === 'server_error';
	return {
		kind,
		transient,
		httpCode: answer.statusCode,
		apiCode: code,
		apiMessage: message,
		retryAfterMs,
	};
}

export function failureFromNetwork(failure: NetworkFailure): Failure {
	if (failure.networkCode === 'ERR_CANCELED') {
		return { kind: 'cancelled', transient: false, networkCode: failure.networkCode };
	}
	return { kind: 'network', transient: true, networkCode: failure.networkCode };
}

/** A `Retry-After` on a successful answer: the server's advice for the next check. */
export function hintFromAnswer(answer: HttpAnswer, nowMs: number): number | undefined {
	return parseRetryAfterMs(answer.headers['retry-after'], nowMs);
}
