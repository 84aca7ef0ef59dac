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
	| 'job_failed'
	| 'job_not_completed'
	| 'deadline_exceeded'
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
}

export interface JobSnapshot {
	jobId: string;
	/** Lower-cased; statuses the docs do not list are treated as still running. */
	status: string;
	downloads: IDataObject[];
	error?: { code: string; message: string };
	/** The API's answer as it came, for the output item. */
	raw: IDataObject;
}

const FINAL_STATUSES = new Set(['completed', 'failed']);

export function isFinalStatus(status: string): boolean {
	return FINAL_STATUSES.has(status);
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
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
		return looksLikeMarkup || body.trim() === '' ? {} : { message: body.trim().slice(0, 500) };
	}
	if (!isObject(body)) return {};
	const inner = body.error;
	if (isObject(inner)) {
		return { code: text(inner.code) ?? text(inner.type), message: text(inner.message) ?? text(inner.detail) };
	}
	if (typeof inner === 'string') return { message: text(inner) };
	return { code: text(body.code), message: text(body.message) ?? text(body.detail) };
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
	const status = text(body.status)?.toLowerCase();
	if (!jobId || !status) return undefined;
	const downloads = Array.isArray(body.downloads)
		? (body.downloads.filter(isObject) as IDataObject[])
		: [];
	const snapshot: JobSnapshot = { jobId, status, downloads, raw: body };
	if (status === 'failed') snapshot.error = readJobError(body);
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
	const { code, message } = readApiError(answer.body);
	const retryAfterMs = parseRetryAfterMs(answer.headers['retry-after'], nowMs);
	const ok = answer.statusCode >= 200 && answer.statusCode < 300;
	let kind: FailureKind;
	if (ok) kind = 'unreadable_answer';
	else if (answer.statusCode === 401 || answer.statusCode === 403) kind = kindFromStatus(answer.statusCode, endpoint);
	else kind = (code && CODE_KINDS[code]) || kindFromStatus(answer.statusCode, endpoint);
	const transient = kind === 'rate_limited' || kind === 'server_error' || kind === 'unreadable_answer';
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
