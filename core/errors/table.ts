/**
 * Every message a user sees when something goes wrong, in one table: what happened (the
 * message, with the API's own words where it gave any) and what to do about it (the remedy),
 * with the job id whenever a job exists, so a started job is never lost, even in an error.
 *
 * The table is the same in every host; only the names of the things a user touches differ (n8n's
 * "Perceptis API credential" and "Options → Job Timeout (Seconds)", Node-RED's config node and
 * `msg.payload.timeoutSeconds`). Each host hands those names in as `HostWords`.
 *
 * Errors are described from clean `Failure` values only: a host's request errors hold the
 * request headers, and with them the API key.
 */
import type { Failure, FailureKind } from '../wire/failures';
import { statusOutcome } from '../wire/answers';

/** The settings a remedy may point at. */
export type SettingName = 'maxJobsInFlight' | 'templateName' | 'idempotencyKey' | 'timeoutSeconds' | 'runTimeoutSeconds';

/** What a host calls the things the remedies point at (see the n8n and Node-RED adapters). */
export interface HostWords {
	/** Where the key and the Base URL are set: "the Perceptis API credential". */
	credential: string;
	/** "the same Perceptis credential": a job is visible only to the key that started it. */
	sameKey: string;
	/** How each operation is named in a remedy: "Generate", "\"Get Status\"", … */
	operations: Record<'generate' | 'status' | 'wait' | 'download', string>;
	/** Where each setting is: "Options → Job Timeout (Seconds)". */
	settings: Record<SettingName, string>;
	/** One unit of input and several: "item", "items" (n8n); "message", "messages" (Node-RED). */
	item: string;
	items: string;
	/** "run the node again". */
	runAgain: string;
	/** What sends the same request again: "a Retry of this execution". */
	repeatOfRun: string;
	/** What to check when nothing answers: "this n8n instance's network access". */
	networkAccess: string;
	/** "The execution was stopped". */
	runStopped: string;
}

/** What a failure says, host-neutral: the code to branch on, the words, and the job it is about. */
export interface ErrorFacts {
	/** The API's own code where it gave one (what Perceptis asks users to branch on), else `kind`. */
	code: string;
	kind: FailureKind;
	message: string;
	/** The remedy, ending with "Job ID: …." whenever a job exists. */
	description: string;
	httpCode?: number;
	jobId?: string;
}

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

export const PLAN_HINT =
	'Only paid Business and Enterprise plans may use the Perceptis API; Free, Starter and trial organisations, and organisations that were downgraded, are refused. Upgrade the plan in Perceptis, or use a key from an eligible organisation.';

export const keySettingsHint = (w: HostWords): string =>
	`Create a new key in Perceptis under Developer Settings (a key is shown only once) and paste it into ${w.credential}.`;

export const DEFAULT_ORIGIN_EXAMPLE = 'https://app.perceptis.ai';

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

const capitalised = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

const baseUrlHint = (w: HostWords) =>
	`Check the Base URL in ${w.credential}: it should be the Perceptis origin, for example ${DEFAULT_ORIGIN_EXAMPLE}. A proxy, a sign-in page or another web application may be answering in its place.`;

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

const resumeHint = (w: HostWords, jobId: string) =>
	`Resume with ${w.operations.wait} and Job ID ${jobId}, using ${w.sameKey}.`;

function withApiWords(headline: string, failure: Failure): string {
	return failure.apiMessage && failure.apiMessage !== headline ? `${headline}: ${failure.apiMessage}` : headline;
}

/**
 * A start whose answer never arrived may still have created the job: its id is unknown, but the
 * key that returns it is not.
 */
function startMayExistHint(w: HostWords, c: FailureContext): string {
	return c.idempotencyKey
		? `Retries used the same Idempotency-Key, so no job was started twice. Perceptis may have started it before the answer was lost: ${w.repeatOfRun} sends the same key (${c.idempotencyKey}) and gets that job back instead of a new one.`
		: 'Retries used the same Idempotency-Key, so no job was started twice.';
}

interface Wording {
	message: string;
	description: string;
}

type Entry = (f: Failure, c: FailureContext, w: HostWords) => Wording;

/** Refused requests: the key, the plan, the input. Nothing was started. */
const REFUSALS: Record<
	'unauthorized' | 'plan_not_eligible' | 'invalid_request' | 'ambiguous_template_name' | 'idempotency_conflict' | 'insufficient_credits',
	Entry
> = {
	unauthorized: (f, _c, w) => ({
		message: withApiWords('The Perceptis API key is invalid or revoked (HTTP 401)', f),
		description: keySettingsHint(w),
	}),
	plan_not_eligible: (f) => ({
		message: withApiWords("Your Perceptis organisation's plan does not include API access (HTTP 403)", f),
		description: PLAN_HINT,
	}),
	invalid_request: (f, _c, w) => ({
		message: f.apiMessage || 'Perceptis rejected the request as invalid (HTTP 400)',
		description: `Correct the field the message names and ${w.runAgain}. No job was started.`,
	}),
	ambiguous_template_name: (f, c, w) => ({
		message: f.apiMessage || `Several Perceptis templates match "${c.templateName ?? ''}"`,
		description: `Type the template's full, exact name in ${w.settings.templateName}${
			c.templateName ? ` (now "${c.templateName}")` : ''
		}, or leave it empty to let Perceptis choose. No job was started.`,
	}),
	idempotency_conflict: (f, c, w) => ({
		message: f.apiMessage || 'Perceptis refused the request: its Idempotency-Key was used before with another request',
		description: `The Idempotency-Key${
			c.idempotencyKey ? ` "${c.idempotencyKey}"` : ''
		} was already used for a different prompt or options. Leave ${w.settings.idempotencyKey} empty so the node derives one per ${w.item}, or use a new key. No new job was started.`,
	}),
	insufficient_credits: (f, _c, w) => ({
		message: withApiWords("Your Perceptis organisation's credit pool is exhausted", f),
		description: `Add credits in Perceptis, then ${w.runAgain}. No job was started.`,
	}),
};

/** The origin or the line to it: wrong address, something else answering, nothing answering. */
const REACH: Record<
	'job_not_found' | 'endpoint_not_found' | 'rate_limited' | 'server_error' | 'unreadable_answer' | 'redirected' | 'network' | 'http_error',
	Entry
> = {
	job_not_found: (_f, c, w) => ({
		message: `Perceptis job "${c.jobId}" was not found for this API key (HTTP 404)`,
		description: `A job can be read only with the API key that created it: use ${w.sameKey} as the node that started the job. Also check that the Job ID is complete and unchanged.`,
	}),
	endpoint_not_found: (f, c, w) => ({
		message: withApiWords(`Perceptis answered 404 at ${c.origin ?? 'the configured origin'}`, f),
		description: `Check the Base URL in ${w.credential}: it should be the origin only, for example ${DEFAULT_ORIGIN_EXAMPLE}.`,
	}),
	rate_limited: (f, c, w) => ({
		message: withApiWords(`Perceptis kept answering "too many requests" (HTTP 429) after ${c.attempts ?? 1} attempt(s)`, f),
		description: `The API limits how often jobs may be started and checked. Run fewer ${w.items} at once (${w.settings.maxJobsInFlight}), or retry later; the node already waits as long as Retry-After asks.`,
	}),
	server_error: (f, c, w) => ({
		message: withApiWords(`Perceptis had a server error (HTTP ${f.httpCode ?? '5xx'})`, f),
		description: c.jobId
			? `The node retried with backoff until it gave up. ${resumeHint(w, c.jobId)}`
			: 'The node retried with backoff, always with the same Idempotency-Key, so no job was started twice. Try again later.',
	}),
	unreadable_answer: (f, c, w) => ({
		message: `The Perceptis Base URL${originWords(c)} answered with ${f.answerShape ?? 'something that is not a Perceptis answer'}${
			c.jobId ? ` for job ${c.jobId}` : ''
		}, not a job (HTTP ${f.httpCode ?? '2xx'})`,
		description: `${baseUrlHint(w)} ${c.jobId ? resumeHint(w, c.jobId) : startMayExistHint(w, c)}`,
	}),
	redirected: (f, c, w) => {
		const target = f.location ? originOf(f.location) : undefined;
		return {
			message: `The Perceptis Base URL${originWords(c)} redirects to ${f.location ?? 'another address'} (HTTP ${
				f.httpCode ?? '3xx'
			}); the node did not follow it, so the API key was not sent there`,
			description: `${
				target
					? `If ${target} is where Perceptis is served, type ${target} in the Base URL field of ${w.credential}. Otherwise check the Base URL: a proxy or a sign-in page may be in the way.`
					: baseUrlHint(w)
			}${c.jobId ? ` ${resumeHint(w, c.jobId)}` : ''}`,
		};
	},
	network: (f, c, w) => ({
		message: `Could not reach Perceptis at ${c.origin ?? 'the configured origin'}: ${networkPhrase(f.networkCode)}`,
		description: `${
			c.jobId
				? `The node retried until it gave up. ${resumeHint(w, c.jobId)}`
				: `Check the Base URL in ${w.credential} and ${w.networkAccess}. ${startMayExistHint(w, c)}`
		} (Error code: ${f.networkCode ?? 'unknown'}.)`,
	}),
	http_error: (f) => ({
		message: withApiWords(`Perceptis answered HTTP ${f.httpCode ?? '?'}`, f),
		description: 'This answer is not documented by Perceptis. Try again later, and report it if it persists.',
	}),
};

/** The job itself: it failed, ended, has no files, or outlived the wait. */
const JOB_OUTCOMES: Record<
	'job_failed' | 'job_ended' | 'job_not_completed' | 'no_files' | 'not_a_file' | 'download_failed',
	Entry
> = {
	job_failed: (f, c, w) => ({
		message: `Perceptis job ${c.jobId} failed: ${f.apiMessage ?? 'no reason given'}${f.apiCode ? ` (${f.apiCode})` : ''}`,
		description: `Failed jobs are not charged. Change the prompt or options and ${w.runAgain}.`,
	}),
	job_ended: (_f, c, w) => ({
		message: `Perceptis job ${c.jobId} ended with status "${c.lastStatus ?? 'unknown'}" and no result`,
		description: `Perceptis reports the job as over without files (for example cancelled or expired). Check it with ${w.operations.status}, and run ${w.operations.generate} again if you still need it.`,
	}),
	job_not_completed: (_f, c, w) => ({
		message: `Perceptis job ${c.jobId} has no files to download: its status is "${c.lastStatus ?? 'unknown'}"`,
		description:
			statusOutcome(c.lastStatus ?? '') === 'running'
				? `The job is still running. ${resumeHint(w, c.jobId ?? '')}`
				: `The job is over without completing, so it produced no files. Check its error with ${w.operations.status}.`,
	}),
	no_files: (_f, c, w) => ({
		message: `Perceptis job ${c.jobId} completed but returned no files`,
		description: `Perceptis listed no download links for the job. Run ${w.operations.status} with this Job ID to see what it returned, or run ${w.operations.generate} again; report it to Perceptis if it persists.`,
	}),
	not_a_file: (f, c, w) => ({
		message: `The file of Perceptis job ${c.jobId} is not a presentation: the storage host sent ${f.answerShape ?? 'something else'}`,
		description: `The node asked Perceptis for a fresh link once and got the same answer. The link may be expired or blocked by a proxy. Run ${w.operations.download} with Job ID ${c.jobId} to try again.`,
	}),
	download_failed: (f, c, w) => ({
		message: `Could not download the files of Perceptis job ${c.jobId} (${f.httpCode ? `HTTP ${f.httpCode}` : networkPhrase(f.networkCode)})`,
		description: `The job completed; its links are fresh on every status check. Run ${w.operations.download} with Job ID ${c.jobId} to try again.`,
	}),
};

/** The wait ended before the job did: a deadline, the run's limit, or the user. The job runs on. */
const WAIT_ENDS: Record<'deadline_exceeded' | 'run_timeout' | 'cancelled', Entry> = {
	deadline_exceeded: (_f, c, w) => ({
		message: `Perceptis job ${c.jobId} did not finish within ${c.timeoutSeconds ?? '?'} s (last status: ${c.lastStatus ?? 'unknown'})`,
		description: `The job keeps running on Perceptis; nothing is lost or charged twice. ${resumeHint(w, c.jobId ?? '')} Or raise ${w.settings.timeoutSeconds}.`,
	}),
	run_timeout: (_f, c, w) => ({
		message: c.jobId
			? `Perceptis job ${c.jobId} was not done when the node's Run Timeout of ${c.runTimeoutSeconds ?? '?'} s ended (last status: ${
					c.lastStatus ?? 'unknown'
				})`
			: `${capitalised(w.item)} ${c.itemIndex}'s job was not started before the node's Run Timeout of ${c.runTimeoutSeconds ?? '?'} s ended`,
		description: c.jobId
			? `The job keeps running on Perceptis; nothing is lost or charged twice. ${resumeHint(w, c.jobId)} Or raise ${w.settings.runTimeoutSeconds}.`
			: `No job id came back for this ${w.item} (rate limits or errors held its start back). ${capitalised(w.runAgain)}, or raise ${w.settings.runTimeoutSeconds}.`,
	}),
	cancelled: (_f, c, w) => ({
		message: c.jobId ? `The wait for Perceptis job ${c.jobId} was cancelled` : 'The Perceptis request was cancelled',
		description: c.jobId ? `The job keeps running on Perceptis. ${resumeHint(w, c.jobId)}` : `${w.runStopped} before a job was started.`,
	}),
};

const TABLE: Record<FailureKind, Entry> = { ...REFUSALS, ...REACH, ...JOB_OUTCOMES, ...WAIT_ENDS };

/** A failure in the words the user sees, in the host's names, with its code and job id. */
export function describeFailure(failure: Failure, context: FailureContext, words: HostWords): ErrorFacts {
	const wording = TABLE[failure.kind](failure, context, words);
	const jobLine = context.jobId ? ` Job ID: ${context.jobId}.` : '';
	return {
		code: failure.apiCode ?? failure.kind,
		kind: failure.kind,
		message: wording.message,
		description: `${wording.description}${jobLine}`,
		...(failure.httpCode ? { httpCode: failure.httpCode } : {}),
		...(context.jobId ? { jobId: context.jobId } : {}),
	};
}
