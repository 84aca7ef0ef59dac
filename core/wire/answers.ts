/**
 * What the Perceptis API's answers mean. The API documents a few things and leaves many open
 * (success code, id field name, error body form, download fields), so every reader here accepts
 * each plausible variant and never trusts a field to exist.
 */
import { isObject, text, type JsonObject } from '../json';

export interface JobSnapshot {
	jobId: string;
	/** The API's word, trimmed and lower-cased (unknown words kept); `statusOutcome` says what it means. */
	status: string;
	downloads: JsonObject[];
	error?: { code: string; message: string };
	/** The API's answer as it came, for the output item. */
	raw: JsonObject;
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
function readJobError(body: JsonObject): { code: string; message: string } {
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
		? (body.downloads.filter(isObject) as JsonObject[])
		: [];
	const snapshot: JobSnapshot = { jobId, status, downloads, raw: body };
	if (statusOutcome(status) === 'failed') snapshot.error = readJobError(body);
	return snapshot;
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

