import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { PLAN_HINT, type FailureContext } from '../../core/errors/table';
import type { Failure, FailureKind } from '../../core/wire/failures';
import { failureFromAnswer, failureFromNetwork } from '../../core/wire/failures';
import { KEY_SETTINGS_HINT } from '../../nodes/Perceptis/n8n/words';
import { testNode } from '../support/n8nContext';
import { describeFailure, invalidParameter, toNodeError } from '../../nodes/Perceptis/n8n/nodeErrors';

const FAKE_KEY = 'sk-live-per-unit-FAKE-key';

const node: INode = testNode({
	id: 'node-uuid-1',
	parameters: { operation: 'generate', prompt: 'Quarterly results' },
	credentials: { perceptisApi: { id: 'cred-1', name: 'Perceptis account' } },
});

/** Every FailureKind: a Record so the compiler complains when a kind is added and not tested here. */
const SAMPLE: Record<FailureKind, Failure> = {
	unauthorized: { kind: 'unauthorized', transient: false, httpCode: 401 },
	plan_not_eligible: { kind: 'plan_not_eligible', transient: false, httpCode: 403 },
	job_not_found: { kind: 'job_not_found', transient: false, httpCode: 404, apiCode: 'not_found' },
	endpoint_not_found: { kind: 'endpoint_not_found', transient: false, httpCode: 404 },
	rate_limited: { kind: 'rate_limited', transient: true, httpCode: 429, retryAfterMs: 5_000 },
	invalid_request: { kind: 'invalid_request', transient: false, httpCode: 400, apiCode: 'invalid_request' },
	ambiguous_template_name: { kind: 'ambiguous_template_name', transient: false, httpCode: 400 },
	idempotency_conflict: { kind: 'idempotency_conflict', transient: false, httpCode: 409 },
	insufficient_credits: { kind: 'insufficient_credits', transient: false, httpCode: 402 },
	server_error: { kind: 'server_error', transient: true, httpCode: 503 },
	unreadable_answer: {
		kind: 'unreadable_answer',
		transient: false,
		httpCode: 200,
		answerShape: 'an HTML page titled "Sign in"',
	},
	redirected: { kind: 'redirected', transient: false, httpCode: 307, location: 'https://login.example.net/sso' },
	network: { kind: 'network', transient: true, networkCode: 'ECONNRESET' },
	http_error: { kind: 'http_error', transient: false, httpCode: 418 },
	job_failed: { kind: 'job_failed', transient: false, apiCode: 'generation_failed', apiMessage: 'Model gave up' },
	job_ended: { kind: 'job_ended', transient: false },
	job_not_completed: { kind: 'job_not_completed', transient: false },
	no_files: { kind: 'no_files', transient: false },
	not_a_file: { kind: 'not_a_file', transient: false, httpCode: 200, answerShape: 'an HTML page titled "Sign in"' },
	deadline_exceeded: { kind: 'deadline_exceeded', transient: false },
	run_timeout: { kind: 'run_timeout', transient: false },
	cancelled: { kind: 'cancelled', transient: false },
	download_failed: { kind: 'download_failed', transient: false, httpCode: 403 },
};
const KINDS = Object.keys(SAMPLE) as FailureKind[];
/** Kinds that only exist once there is a job (they are about a job id). */
const JOB_ONLY: FailureKind[] = [
	'job_not_found',
	'job_failed',
	'job_ended',
	'job_not_completed',
	'no_files',
	'not_a_file',
	'deadline_exceeded',
	'download_failed',
];

const WITH_JOB: FailureContext = {
	itemIndex: 3,
	origin: 'https://app.perceptis.ai',
	jobId: 'job-7f3a',
	lastStatus: 'processing',
	timeoutSeconds: 1800,
	templateName: 'Sales',
	attempts: 4,
};
const WITHOUT_JOB: FailureContext = { itemIndex: 0, origin: 'https://app.perceptis.ai' };

/** Everything an error exposes, as text, to look for a leaked key. */
function everything(error: object): string {
	const seen = new WeakSet<object>();
	const json = JSON.stringify(error, (_key, value: unknown) => {
		if (typeof value === 'object' && value !== null) {
			if (seen.has(value)) return '[circular]';
			seen.add(value);
		}
		return value;
	});
	const e = error as { message?: string; description?: string; stack?: string; messages?: string[] };
	return [json, e.message, e.description, e.stack, ...(e.messages ?? [])].join('\n');
}

describe('describeFailure', () => {
	it.each(KINDS)('%s: message and description are non-empty, with and without a job id', (kind) => {
		for (const context of JOB_ONLY.includes(kind) ? [WITH_JOB] : [WITH_JOB, WITHOUT_JOB]) {
			const { message, description } = describeFailure(SAMPLE[kind], context);
			expect(message.trim()).not.toBe('');
			expect(description.trim()).not.toBe('');
			expect(message).not.toMatch(/undefined/);
		}
	});

	it.each(KINDS)('%s: the description carries the job id whenever there is one', (kind) => {
		expect(describeFailure(SAMPLE[kind], WITH_JOB).description).toContain('job-7f3a');
		expect(describeFailure(SAMPLE[kind], WITHOUT_JOB).description).not.toContain('Job ID:');
	});

	it.each(KINDS)('%s: message stays non-empty when the API message is empty', (kind) => {
		const failure: Failure = { ...SAMPLE[kind], apiMessage: '' };
		for (const context of JOB_ONLY.includes(kind) ? [WITH_JOB] : [WITH_JOB, WITHOUT_JOB]) {
			const { message, description } = describeFailure(failure, context);
			expect(message.trim()).not.toBe('');
			expect(description.trim()).not.toBe('');
		}
	});

	it('401 points to Developer Settings; 403 to the Business and Enterprise plans', () => {
		const unauthorized = describeFailure(SAMPLE.unauthorized, WITHOUT_JOB);
		const forbidden = describeFailure(SAMPLE.plan_not_eligible, WITHOUT_JOB);
		expect(unauthorized.message).not.toBe(forbidden.message);
		expect(unauthorized.message).toContain('401');
		expect(forbidden.message).toContain('403');
		expect(`${unauthorized.message} ${unauthorized.description}`).toContain('Developer Settings');
		expect(unauthorized.description).toBe(KEY_SETTINGS_HINT);
		expect(`${forbidden.message} ${forbidden.description}`).toContain('Business');
		expect(`${forbidden.message} ${forbidden.description}`).toContain('Enterprise');
		expect(forbidden.description).toBe(PLAN_HINT);
		expect(`${forbidden.message} ${forbidden.description}`).not.toContain('Developer Settings');
		expect(`${unauthorized.message} ${unauthorized.description}`).not.toContain('Enterprise');
	});

	it('adds the API words to the headline without repeating them', () => {
		expect(describeFailure({ ...SAMPLE.unauthorized, apiMessage: 'Key revoked' }, WITHOUT_JOB).message).toBe(
			'The Perceptis API key is invalid or revoked (HTTP 401): Key revoked',
		);
	});

	it('deadline: names the job id, the timeout and how to resume with Wait for Completion', () => {
		const { message, description } = describeFailure(SAMPLE.deadline_exceeded, WITH_JOB);
		expect(message).toContain('job-7f3a');
		expect(message).toContain('1800');
		expect(message).toContain('processing');
		expect(description).toContain('Wait for Completion');
		expect(description).toContain('job-7f3a');
		expect(description).toContain('Timeout');
	});

	it('job_failed quotes the API code and message', () => {
		expect(describeFailure(SAMPLE.job_failed, WITH_JOB).message).toBe(
			'Perceptis job job-7f3a failed: Model gave up (generation_failed)',
		);
	});

	it('job_not_completed says whether the job failed or still runs', () => {
		expect(describeFailure(SAMPLE.job_not_completed, WITH_JOB).description).toContain('Wait for Completion');
		const failed = describeFailure(SAMPLE.job_not_completed, { ...WITH_JOB, lastStatus: 'failed' });
		expect(failed.message).toContain('"failed"');
		expect(failed.description).toContain('Get Status');
	});

	it('ambiguous_template_name names the template typed', () => {
		expect(describeFailure(SAMPLE.ambiguous_template_name, WITH_JOB).description).toContain('"Sales"');
	});

	it('rate_limited counts the attempts', () => {
		expect(describeFailure(SAMPLE.rate_limited, WITH_JOB).message).toContain('after 4 attempt(s)');
	});
});

describe('toNodeError', () => {
	it.each(KINDS.filter((kind) => SAMPLE[kind].httpCode !== undefined))(
		'%s (with an HTTP code) is a NodeApiError with httpCode, itemIndex and job id',
		(kind) => {
			const error = toNodeError(node, SAMPLE[kind], WITH_JOB);
			const expected = describeFailure(SAMPLE[kind], WITH_JOB);
			expect(error).toBeInstanceOf(NodeApiError);
			expect((error as NodeApiError).httpCode).toBe(String(SAMPLE[kind].httpCode));
			expect(error.message).toBe(expected.message);
			expect(error.description).toBe(expected.description);
			expect(error.context.itemIndex).toBe(3);
			expect(error.context.jobId).toBe('job-7f3a');
			expect(error.context.failureKind).toBe(kind);
		},
	);

	it.each(KINDS.filter((kind) => SAMPLE[kind].httpCode === undefined))(
		'%s (no HTTP code) is a NodeOperationError with itemIndex and job id',
		(kind) => {
			const error = toNodeError(node, SAMPLE[kind], WITH_JOB);
			const expected = describeFailure(SAMPLE[kind], WITH_JOB);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error).not.toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(expected.message);
			expect(error.description).toBe(expected.description);
			expect(error.context.itemIndex).toBe(3);
			expect(error.context.jobId).toBe('job-7f3a');
			expect(error.context.failureKind).toBe(kind);
		},
	);

	it.each(KINDS)('%s: message and description are non-empty on the n8n error, even with an empty API message', (kind) => {
		const error = toNodeError(node, { ...SAMPLE[kind], apiMessage: '' }, JOB_ONLY.includes(kind) ? WITH_JOB : WITHOUT_JOB);
		expect(error.message.trim()).not.toBe('');
		expect((error.description ?? '').trim()).not.toBe('');
	});

	it('a download that failed below HTTP keeps the job id and the network code in the message', () => {
		const failure: Failure = { kind: 'download_failed', transient: true, networkCode: 'ETIMEDOUT' };
		const error = toNodeError(node, failure, WITH_JOB);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(describeFailure(failure, WITH_JOB).message);
		expect(error.message).toContain('job-7f3a');
	});

	it('never carries the API key, wherever it might have been around', () => {
		// The key sits in the answer's headers (as an echo of the request) and in the URL of a
		// failed request; the API message is empty. None of it may reach the error.
		const answers = [200, 307, 401, 403, 404, 409, 429, 500, 502].map((statusCode) => ({
			url: 'https://app.perceptis.ai/api/v1/status/job-1',
			statusCode,
			headers: {
				authorization: `Bearer ${FAKE_KEY}`,
				'www-authenticate': 'Bearer',
				'retry-after': '1',
				location: `https://elsewhere.example.net/api?token=${FAKE_KEY}`,
			},
			body:
				statusCode === 502 || statusCode === 200
					? `<html><title>Bearer ${FAKE_KEY}</title></html>`
					: { error: { code: '', message: `echo: ${FAKE_KEY}` } },
		}));
		const failures: Failure[] = [
			...answers.map((a) => failureFromAnswer(a, 'status', Date.now())),
			...answers.map((a) => failureFromAnswer(a, 'generate', Date.now())),
			failureFromNetwork({ networkCode: 'ECONNRESET', url: `https://app.perceptis.ai/api/v1/generate` }),
			...KINDS.map((kind) => ({ ...SAMPLE[kind], apiMessage: '' })),
		];
		for (const failure of failures) {
			for (const context of [WITH_JOB, WITHOUT_JOB, { ...WITH_JOB, idempotencyKey: 'n8n-abc' }]) {
				const error = toNodeError(node, failure, context);
				const text = everything(error);
				expect(text).not.toContain(FAKE_KEY);
				expect(text).not.toContain('sk-live');
				const { message, description } = describeFailure(failure, context);
				expect(`${message}${description}`).not.toContain('sk-live');
			}
		}
	});

	it('a redirect names where it points and what to type, and says the key was not sent there', () => {
		const { message, description } = describeFailure(SAMPLE.redirected, WITH_JOB);
		expect(message).toBe(
			'The Perceptis Base URL https://app.perceptis.ai redirects to https://login.example.net/sso (HTTP 307); the node did not follow it, so the API key was not sent there',
		);
		expect(description).toContain('type https://login.example.net in the Base URL field');
		expect(description).toContain('job-7f3a');
	});

	it('an unreadable answer names the Base URL and what came back', () => {
		const { message, description } = describeFailure(SAMPLE.unreadable_answer, WITHOUT_JOB);
		expect(message).toBe(
			'The Perceptis Base URL https://app.perceptis.ai answered with an HTML page titled "Sign in", not a job (HTTP 200)',
		);
		expect(description).toContain('Check the Base URL');
	});

	it('keeps the API code (or else the kind) in the details, not the request', () => {
		const error = toNodeError(node, { ...SAMPLE.invalid_request, apiMessage: 'prompt is required' }, WITHOUT_JOB);
		expect(error.message).toBe('prompt is required');
		expect(error.context.jobId).toBeUndefined();
		expect(error.context.failureKind).toBe('invalid_request');
		expect(error.context.apiCode).toBe('invalid_request');
		const failed = toNodeError(node, SAMPLE.job_failed, WITH_JOB);
		expect(failed.context.apiCode).toBe('generation_failed');
		expect(failed.context.failureKind).toBe('job_failed');
	});
});

describe('invalidParameter', () => {
	it('is a NodeOperationError with the item index and the fix', () => {
		const error = invalidParameter(node, 2, 'Prompt is empty on item 2', 'Type the instructions in Prompt.');
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Prompt is empty on item 2');
		expect(error.description).toBe('Type the instructions in Prompt.');
		expect(error.context.itemIndex).toBe(2);
	});
});
