/**
 * Every message the node shows when something goes wrong, in one table: what happened (message,
 * the API's own words where it gave any) and what to do about it (description). Each error
 * carries the item index, the HTTP code and, once a job exists, its id — so a started job is
 * never lost, even in an error.
 *
 * Errors are built from clean objects only. n8n's request errors hold the request headers, and
 * with them the API key, so they are never passed on.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Failure, FailureKind } from './apiAnswers';
import { statusOutcome } from './apiAnswers';

export const KEY_SETTINGS_HINT =
	'Create a new key in Perceptis under Developer Settings (a key is shown only once) and paste it into the Perceptis API credential.';

export const PLAN_HINT =
	'Only paid Business and Enterprise plans may use the Perceptis API; Free, Starter and trial organisations, and organisations that were downgraded, are refused. Upgrade the plan in Perceptis, or use a key from an eligible organisation.';

export interface FailureContext {
	itemIndex: number;
	origin?: string;
	jobId?: string;
	lastStatus?: string;
	timeoutSeconds?: number;
	runTimeoutSeconds?: number;
	idempotencyKey?: string;
	templateName?: string;
	attempts?: number;
}

interface Wording {
	message: string;
	description: string;
}

/**
 * Network codes in words. n8n replaces any error message that contains a code such as
 * ECONNRESET with a generic sentence, which would drop the origin and the job id: the code
 * itself goes into the description instead.
 */
const NETWORK_PHRASES: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	ECONNABORTED: 'the request timed out',
	ETIMEDOUT: 'the request timed out',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	EHOSTUNREACH: 'the host is unreachable',
};

function networkPhrase(code: string | undefined): string {
	return (code && NETWORK_PHRASES[code]) || 'the request failed below HTTP';
}

const BASE_URL_HINT =
	'Check the Base URL in the Perceptis API credential: it should be the Perceptis origin, for example https://app.perceptis.ai. A proxy, a sign-in page or another web application may be answering in its place.';

/** The origin of a URL, for "type this" advice; the URL itself when it cannot be parsed. */
function originOf(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}`;
	} catch {
		return url;
	}
}

const originWords = (c: FailureContext) => (c.origin ? ` ${c.origin}` : '');

const resumeHint = (jobId: string) =>
	`Resume with the Perceptis node's "Wait for Completion" operation and Job ID ${jobId}, using the same Perceptis credential.`;

function withApiWords(headline: string, failure: Failure): string {
	return failure.apiMessage && failure.apiMessage !== headline
		? `${headline}: ${failure.apiMessage}`
		: headline;
}

/**
 * A start whose answer never arrived may still have created the job: its id is unknown, but the
 * key that returns it is not.
 */
function startMayExistHint(c: FailureContext): string {
	return c.idempotencyKey
		? `Retries used the same Idempotency-Key, so no job was started twice. Perceptis may have started it before the answer was lost: a Retry of this execution sends the same key (${c.idempotencyKey}) and gets that job back instead of a new one.`
		: 'Retries used the same Idempotency-Key, so no job was started twice.';
}

const WORDING: Record<FailureKind, (f: Failure, c: FailureContext) => Wording> = {
	unauthorized: (f) => ({
		message: withApiWords('The Perceptis API key is invalid or revoked (HTTP 401)', f),
		description: KEY_SETTINGS_HINT,
	}),
	plan_not_eligible: (f) => ({
		message: withApiWords("Your Perceptis organisation's plan does not include API access (HTTP 403)", f),
		description: PLAN_HINT,
	}),
	job_not_found: (_f, c) => ({
		message: `Perceptis job "${c.jobId}" was not found for this API key (HTTP 404)`,
		description:
			'A job can be read only with the API key that created it: use the same Perceptis credential as the node that started the job. Also check that the Job ID is complete and unchanged.',
	}),
	endpoint_not_found: (f, c) => ({
		message: withApiWords(`Perceptis answered 404 at ${c.origin ?? 'the configured origin'}`, f),
		description:
			'Check the Base URL in the Perceptis API credential: it should be the origin only, for example https://app.perceptis.ai.',
	}),
	rate_limited: (f, c) => ({
		message: withApiWords(
			`Perceptis kept answering "too many requests" (HTTP 429) after ${c.attempts ?? 1} attempt(s)`,
			f,
		),
		description:
			'The API limits how often jobs may be started and checked. Run fewer items at once (Options → Max Jobs in Flight), or retry later; the node already waits as long as Retry-After asks.',
	}),
	invalid_request: (f) => ({
		message: f.apiMessage || 'Perceptis rejected the request as invalid (HTTP 400)',
		description: 'Correct the field the message names and run the node again. No job was started.',
	}),
	ambiguous_template_name: (f, c) => ({
		message: f.apiMessage || `Several Perceptis templates match "${c.templateName ?? ''}"`,
		description: `Type the template's full, exact name in Options → Template Name${
			c.templateName ? ` (now "${c.templateName}")` : ''
		}, or leave it empty to let Perceptis choose. No job was started.`,
	}),
	idempotency_conflict: (f, c) => ({
		message: f.apiMessage || 'Perceptis refused the request: its Idempotency-Key was used before with another request',
		description: `The Idempotency-Key${
			c.idempotencyKey ? ` "${c.idempotencyKey}"` : ''
		} was already used for a different prompt or options. Leave Options → Idempotency Key empty so the node derives one per item, or use a new key. No new job was started.`,
	}),
	insufficient_credits: (f) => ({
		message: withApiWords("Your Perceptis organisation's credit pool is exhausted", f),
		description: 'Add credits in Perceptis, then run the node again. No job was started.',
	}),
	server_error: (f, c) => ({
		message: withApiWords(`Perceptis had a server error (HTTP ${f.httpCode ?? '5xx'})`, f),
		description: c.jobId
			? `The node retried with backoff until it gave up. ${resumeHint(c.jobId)}`
			: 'The node retried with backoff, always with the same Idempotency-Key, so no job was started twice. Try again later.',
	}),
	unreadable_answer: (f, c) => ({
		message: `The Perceptis Base URL${originWords(c)} answered with ${f.answerShape ?? 'something that is not a Perceptis answer'}${
			c.jobId ? ` for job ${c.jobId}` : ''
		}, not a job (HTTP ${f.httpCode ?? '2xx'})`,
		description: `${BASE_URL_HINT} ${
			c.jobId
				? resumeHint(c.jobId)
				: startMayExistHint(c)
		}`,
	}),
	redirected: (f, c) => {
		const target = f.location ? originOf(f.location) : undefined;
		return {
			message: `The Perceptis Base URL${originWords(c)} redirects to ${f.location ?? 'another address'} (HTTP ${
				f.httpCode ?? '3xx'
			}); the node did not follow it, so the API key was not sent there`,
			description: `${
				target
					? `If ${target} is where Perceptis is served, type ${target} in the Base URL field of the Perceptis API credential. Otherwise check the Base URL: a proxy or a sign-in page may be in the way.`
					: BASE_URL_HINT
			}${c.jobId ? ` ${resumeHint(c.jobId)}` : ''}`,
		};
	},
	network: (f, c) => ({
		message: `Could not reach Perceptis at ${c.origin ?? 'the configured origin'}: ${networkPhrase(f.networkCode)}`,
		description: `${
			c.jobId
				? `The node retried until it gave up. ${resumeHint(c.jobId)}`
				: `Check the Base URL in the Perceptis API credential and this n8n instance's network access. ${startMayExistHint(c)}`
		} (Error code: ${f.networkCode ?? 'unknown'}.)`,
	}),
	http_error: (f) => ({
		message: withApiWords(`Perceptis answered HTTP ${f.httpCode ?? '?'}`, f),
		description: 'This answer is not documented by Perceptis. Try again later, and report it if it persists.',
	}),
	job_failed: (f, c) => ({
		message: `Perceptis job ${c.jobId} failed: ${f.apiMessage ?? 'no reason given'}${f.apiCode ? ` (${f.apiCode})` : ''}`,
		description: 'Failed jobs are not charged. Change the prompt or options and run the node again.',
	}),
	job_ended: (_f, c) => ({
		message: `Perceptis job ${c.jobId} ended with status "${c.lastStatus ?? 'unknown'}" and no result`,
		description:
			'Perceptis reports the job as over without files (for example cancelled or expired). Check it with "Get Status", and run Generate again if you still need it.',
	}),
	job_not_completed: (_f, c) => ({
		message: `Perceptis job ${c.jobId} has no files to download: its status is "${c.lastStatus ?? 'unknown'}"`,
		description:
			statusOutcome(c.lastStatus ?? '') === 'running'
				? `The job is still running. ${resumeHint(c.jobId ?? '')}`
				: 'The job is over without completing, so it produced no files. Check its error with "Get Status".',
	}),
	no_files: (_f, c) => ({
		message: `Perceptis job ${c.jobId} completed but returned no files`,
		description:
			'Perceptis listed no download links for the job. Run "Get Status" with this Job ID to see what it returned, or run Generate again; report it to Perceptis if it persists.',
	}),
	not_a_file: (f, c) => ({
		message: `The file of Perceptis job ${c.jobId} is not a presentation: the storage host sent ${
			f.answerShape ?? 'something else'
		}`,
		description: `The node asked Perceptis for a fresh link once and got the same answer. The link may be expired or blocked by a proxy. Run the Perceptis node's "Download" operation with Job ID ${c.jobId} to try again.`,
	}),
	deadline_exceeded: (_f, c) => ({
		message: `Perceptis job ${c.jobId} did not finish within ${c.timeoutSeconds ?? '?'} s (last status: ${c.lastStatus ?? 'unknown'})`,
		description: `The job keeps running on Perceptis; nothing is lost or charged twice. ${resumeHint(
			c.jobId ?? '',
		)} Or raise Options → Job Timeout (Seconds).`,
	}),
	run_timeout: (_f, c) => ({
		message: c.jobId
			? `Perceptis job ${c.jobId} was not done when the node's Run Timeout of ${c.runTimeoutSeconds ?? '?'} s ended (last status: ${
					c.lastStatus ?? 'unknown'
				})`
			: `Item ${c.itemIndex}'s job was not started before the node's Run Timeout of ${c.runTimeoutSeconds ?? '?'} s ended`,
		description: c.jobId
			? `The job keeps running on Perceptis; nothing is lost or charged twice. ${resumeHint(c.jobId)} Or raise Options → Run Timeout (Seconds).`
			: 'No job id came back for this item (rate limits or errors held its start back). Run the node again, or raise Options → Run Timeout (Seconds).',
	}),
	cancelled: (_f, c) => ({
		message: c.jobId
			? `The wait for Perceptis job ${c.jobId} was cancelled`
			: 'The Perceptis request was cancelled',
		description: c.jobId
			? `The job keeps running on Perceptis. ${resumeHint(c.jobId)}`
			: 'The execution was stopped before a job was started.',
	}),
	download_failed: (f, c) => ({
		message: `Could not download the files of Perceptis job ${c.jobId} (${
			f.httpCode ? `HTTP ${f.httpCode}` : networkPhrase(f.networkCode)
		})`,
		description: `The job completed; its links are fresh on every status check. Run the Perceptis node's "Download" operation with Job ID ${c.jobId} to try again.`,
	}),
};

/** Describes a failure in the words the user sees (also used for continue-on-fail items). */
export function describeFailure(failure: Failure, context: FailureContext): Wording {
	const wording = WORDING[failure.kind](failure, context);
	const jobLine = context.jobId ? ` Job ID: ${context.jobId}.` : '';
	return { message: wording.message, description: `${wording.description}${jobLine}` };
}

export type PerceptisNodeError = (NodeApiError | NodeOperationError) & { context: JsonObject };

/** The n8n error for a failure: NodeApiError for anything the API answered, else NodeOperationError. */
export function toNodeError(
	node: INode,
	failure: Failure,
	context: FailureContext,
	descriptionSuffix = '',
): PerceptisNodeError {
	const wording = describeFailure(failure, context);
	const message = wording.message;
	const description = `${wording.description}${descriptionSuffix}`;
	const details: JsonObject = {
		message,
		code: failure.apiCode ?? failure.kind,
		...(context.jobId ? { jobId: context.jobId } : {}),
		...(failure.httpCode ? { httpCode: failure.httpCode } : {}),
	};
	const error = failure.httpCode
		? new NodeApiError(node, details, {
				message,
				description,
				httpCode: String(failure.httpCode),
				itemIndex: context.itemIndex,
			})
		: new NodeOperationError(node, message, { description, itemIndex: context.itemIndex });
	error.context.jobId = context.jobId;
	error.context.failureKind = failure.kind;
	// The API's own code (e.g. a failed job's reason) is what users branch on, as Perceptis asks.
	error.context.apiCode = failure.apiCode;
	return error as PerceptisNodeError;
}

/** A bad parameter value, caught before any request: names the field, the value and the fix. */
export function invalidParameter(
	node: INode,
	itemIndex: number,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(node, message, { description, itemIndex });
}
