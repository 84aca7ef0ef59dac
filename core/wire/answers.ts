/**
 * What the Perceptis API's answers mean. The API documents a few things and leaves many open
 * (success code, id field name, error body form, download fields), so every reader here accepts
 * each plausible variant and never trusts a field to exist.
 */
import type { IDataObject } from 'n8n-workflow';

import { parseRetryAfterMs } from './schedule';
import type { HttpAnswer, NetworkFailure } from '../transport';

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

export interface JobSnapshot {
	jobId: string;
	/** The API's word, trimmed and lower-cased (unknown words kept); `statusOutcome` says what it means. */
	status: string;
	downloads: IDataObject[];
	error?: { code: string; message: string };
	/** The API's answer as it came, for the output item. */
	raw: IDataObject;
}

/**
 * What a status word means. The API documents `pending`, `processing`, `completed` and `failed`;
 * a proxy, a new API version or a job cancelled by an admin may say something else. Words that
 * clearly end a job end the wait (a job that ended without a result is `ended`); any other word
 * is taken as "still running", and the deadline error shows it as it came.
 */
export type StatusOutcome = 'running' | 'completed' | 'failed' | 'ended';

const COMPLETED_WORDS = new Set(['completed', 'complete', 'succeeded', 'success', 'successful', 'done', 'finished']);
const FAILED_WORDS = new Set(['failed', 'failure']);
const ENDED_WORDS = new Set([
	'cancelled',
	'canceled',
	'expired',
	'error',
	'errored',
	'aborted',
	'rejected',
	'deleted',
	'timeout',
	'timed_out',
	'timedout',
	'terminated',
	'stopped',
]);

export function statusOutcome(status: string): StatusOutcome {
	const word = status.toLowerCase().replace(/[\s-]+/g, '_');
	if (COMPLETED_WORDS.has(word)) return 'completed';
	if (FAILED_WORDS.has(word)) return 'failed';
	if (ENDED_WORDS.has(word)) return 'ended';
	return 'running';
}

export function isFinalStatus(status: string): boolean {
	return statusOutcome(status) !== 'running';
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
}

/**
 * Server text shown to the user (an API message, a page title) with anything that looks like a
 * key blanked out: a debugging proxy or a misconfigured page may echo the request's headers.
 */
export function withoutSecrets(words: string): string {
	return words.replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]').replace(/\bsk-[A-Za-z0-9_-]{6,}/g, '[redacted]');
}

/** `job_id` as documented, or the `jobId` / `id` some clients fall back to. */
export function readJobId(body: unknown): string | undefined {
	if (!isObject(body)) return undefined;
	return text(body.job_id) ?? text(body.jobId) ?? text(body.id);
}

/**
 * The API's error, from `{"error": {"code", "message"}}`, `{"error": "message"}`,
 * `{"code", "message"}` or a bare string; HTML pages (proxies, 5xx) are not messages.
 */
export function readApiError(body: unknown): { code?: string; message?: string } {
	if (typeof body === 'string') {
		const looksLikeMarkup = /^\s*</.test(body);
		return looksLikeMarkup || body.trim() === '' ? {} : { message: withoutSecrets(body.trim().slice(0, 500)) };
	}
	if (!isObject(body)) return {};
	const inner = body.error;
	const shown = (value: unknown) => {
		const words = text(value);
		return words === undefined ? undefined : withoutSecrets(words);
	};
	if (isObject(inner)) {
		return { code: text(inner.code) ?? text(inner.type), message: shown(inner.message) ?? shown(inner.detail) };
	}
	if (typeof inner === 'string') return { message: shown(inner) };
	return { code: text(body.code), message: shown(body.message) ?? shown(body.detail) };
}

/** A job's failure reason from a `failed` status answer, whatever its form. */
function readJobError(body: IDataObject): { code: string; message: string } {
	const { code, message } = readApiError({ error: body.error ?? body.message ?? '' });
	return {
		code: code ?? 'job_failed',
		message: message ?? 'Perceptis reported the job as failed without a reason',
	};
}

/** The job's state from a 2xx status (or generate) answer; undefined when the body is not a job. */
export function readSnapshot(body: unknown, fallbackJobId?: string): JobSnapshot | undefined {
	if (!isObject(body)) return undefined;
	const jobId = readJobId(body) ?? fallbackJobId;
	const status = typeof body.status === 'string' ? text(body.status)?.toLowerCase() : undefined;
	if (!jobId || !status) return undefined;
	const downloads = Array.isArray(body.downloads)
		? (body.downloads.filter(isObject) as IDataObject[])
		: [];
	const snapshot: JobSnapshot = { jobId, status, downloads, raw: body };
	if (statusOutcome(status) === 'failed') snapshot.error = readJobError(body);
	return snapshot;
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
	if (statusCode === 408 || statusCode >= 500) return 'server_error';
	if (statusCode === 400 || statusCode === 422) return 'invalid_request';
	return 'http_error';
}

const isRedirect = (statusCode: number) => statusCode >= 300 && statusCode < 400;

/** Scheme, host and path of a redirect target, resolved against the URL that was asked. */
function redirectTarget(location: unknown, askedUrl: string | undefined): string | undefined {
	const raw = Array.isArray(location) ? location[0] : location;
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	try {
		const url = new URL(raw.trim(), askedUrl);
		return `${url.protocol}//${url.host}${url.pathname}`;
	} catch {
		return raw.trim().split('?')[0].slice(0, 200);
	}
}

/**
 * What an answer that is not a readable job looked like, in words for the error message. An
 * HTML page is named by its title, since a login page or a captive portal says who answered.
 */
export function describeAnswerShape(body: unknown): string {
	if (body === '' || body === undefined || body === null) return 'an empty answer';
	if (typeof body === 'string') {
		if (/^\s*</.test(body)) {
			const title = /<title[^>]*>([^<]{1,80})<\/title>/i.exec(body)?.[1]?.trim();
			return title ? `an HTML page titled "${withoutSecrets(title)}"` : 'an HTML or XML page';
		}
		return /^\s*[[{]/.test(body) ? 'JSON that is cut off or broken' : 'text that is not JSON';
	}
	if (Array.isArray(body)) return 'a JSON list instead of a job';
	if (isObject(body)) {
		if (readJobId(body) === undefined) return 'JSON without a job id';
		if (text(body.status) === undefined) return 'JSON without a "status" field';
	}
	return 'an answer that is not a Perceptis job';
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
	const ok = answer.statusCode >= 200 && answer.statusCode < 300;
	if (ok) {
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
