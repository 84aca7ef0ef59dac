import {
	describeAnswerShape,
	isFinalStatus,
	readApiError,
	readJobId,
	readSnapshot,
	statusOutcome,
} from '../../../core/wire/answers';
import { failureFromAnswer, failureFromNetwork, hintFromAnswer } from '../../../core/wire/failures';
import type { HttpAnswer } from '../../../core/wire/http';
import { isNetworkFailure, networkCodeOf } from '../../../core/wire/http';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

const reply = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
	url: 'https://app.perceptis.ai/api/v1/status/j1',
	statusCode,
	headers,
	body,
});

describe('readJobId', () => {
	it('reads the documented job_id', () => {
		expect(readJobId({ job_id: 'abc-123' })).toBe('abc-123');
		expect(readJobId({ job_id: '  abc-123 ' })).toBe('abc-123');
	});

	it('falls back to jobId, then id', () => {
		expect(readJobId({ jobId: 'camel' })).toBe('camel');
		expect(readJobId({ id: 'plain' })).toBe('plain');
		expect(readJobId({ job_id: 'first', jobId: 'second', id: 'third' })).toBe('first');
		expect(readJobId({ jobId: 'second', id: 'third' })).toBe('second');
		expect(readJobId({ job_id: '', id: 'third' })).toBe('third');
	});

	it('turns a numeric id into a string', () => {
		expect(readJobId({ job_id: 42 })).toBe('42');
		expect(readJobId({ id: 0 })).toBe('0');
	});

	it.each([[undefined], [null], [''], ['job-1'], [[{ job_id: 'x' }]], [{}], [{ job_id: '   ' }], [{ job_id: { v: 1 } }], [{ job_id: true }]])(
		'finds no id in %j',
		(body) => {
			expect(readJobId(body)).toBeUndefined();
		},
	);
});

describe('readApiError', () => {
	it('reads the documented object form', () => {
		expect(readApiError({ error: { code: 'invalid_request', message: 'prompt is required' } })).toEqual({
			code: 'invalid_request',
			message: 'prompt is required',
		});
	});

	it('reads type/detail variants and a flat {code, message}', () => {
		expect(readApiError({ error: { type: 'rate_limit_exceeded', detail: 'slow down' } })).toEqual({
			code: 'rate_limit_exceeded',
			message: 'slow down',
		});
		expect(readApiError({ code: 'not_found', message: 'no such job' })).toEqual({
			code: 'not_found',
			message: 'no such job',
		});
		expect(readApiError({ detail: 'Not authenticated' })).toEqual({ code: undefined, message: 'Not authenticated' });
	});

	it('reads the string forms', () => {
		expect(readApiError({ error: 'Unauthorized' })).toEqual({ message: 'Unauthorized' });
		expect(readApiError('Too many requests')).toEqual({ message: 'Too many requests' });
		expect(readApiError('  padded text \n')).toEqual({ message: 'padded text' });
	});

	it('cuts a long plain-text body to 500 characters', () => {
		expect(readApiError('x'.repeat(2_000)).message).toHaveLength(500);
	});

	it.each([[undefined], [null], [''], ['   '], [{}], [[]], [42]])('finds nothing in %j', (body) => {
		const found = readApiError(body);
		expect(found.code).toBeUndefined();
		expect(found.message).toBeUndefined();
	});

	it('finds nothing in an empty error string ({"error": ""} or blanks)', () => {
		expect(readApiError({ error: '' }).message).toBeUndefined();
		expect(readApiError({ error: '   ' }).message).toBeUndefined();
	});

	it('ignores HTML bodies (proxies, 5xx pages)', () => {
		expect(readApiError(HTML_502)).toEqual({});
		expect(readApiError('  <!DOCTYPE html><html></html>')).toEqual({});
	});
});

describe('readSnapshot', () => {
	it('lower-cases the status and keeps the raw answer', () => {
		const body = { job_id: 'j1', status: 'PROCESSING', progress: 40 };
		const snapshot = readSnapshot(body);
		expect(snapshot).toEqual({ jobId: 'j1', status: 'processing', downloads: [], raw: body });
		expect(snapshot!.error).toBeUndefined();
	});

	it('uses the fallback id when the answer carries none', () => {
		expect(readSnapshot({ status: 'pending' }, 'from-url')?.jobId).toBe('from-url');
		expect(readSnapshot({ status: 'pending', id: 'own' }, 'from-url')?.jobId).toBe('own');
	});

	it('keeps only object entries of downloads', () => {
		const snapshot = readSnapshot({
			job_id: 'j1',
			status: 'completed',
			downloads: [{ url: 'https://s/1.pptx' }, 'https://s/2.pptx', null, [1], { url: 'https://s/3.pptx', slide_count: 4 }],
		});
		expect(snapshot!.downloads).toEqual([{ url: 'https://s/1.pptx' }, { url: 'https://s/3.pptx', slide_count: 4 }]);
	});

	it('treats a non-array downloads field as no downloads', () => {
		expect(readSnapshot({ job_id: 'j1', status: 'completed', downloads: { url: 'x' } })!.downloads).toEqual([]);
	});

	it('reads a failed job error in object form', () => {
		const snapshot = readSnapshot({
			job_id: 'j1',
			status: 'failed',
			error: { code: 'generation_failed', message: 'The model gave up' },
		});
		expect(snapshot!.status).toBe('failed');
		expect(snapshot!.error).toEqual({ code: 'generation_failed', message: 'The model gave up' });
	});

	it('reads a failed job error in string form, with a default code', () => {
		const snapshot = readSnapshot({ job_id: 'j1', status: 'Failed', error: 'Template could not be loaded' });
		expect(snapshot!.status).toBe('failed');
		expect(snapshot!.error).toEqual({ code: 'job_failed', message: 'Template could not be loaded' });
	});

	it('reads a failed job error from a top-level message', () => {
		expect(readSnapshot({ job_id: 'j1', status: 'failed', message: 'Out of memory' })!.error).toEqual({
			code: 'job_failed',
			message: 'Out of memory',
		});
	});

	it('gives a failed job without a reason a readable default message', () => {
		const snapshot = readSnapshot({ job_id: 'j1', status: 'failed' });
		expect(snapshot!.error).toEqual({
			code: 'job_failed',
			message: 'Perceptis reported the job as failed without a reason',
		});
	});

	it('keeps a status the docs do not list (lower-cased), and treats a word it does not know as running', () => {
		const snapshot = readSnapshot({ job_id: 'j1', status: 'Queued' });
		expect(snapshot!.status).toBe('queued');
		expect(isFinalStatus(snapshot!.status)).toBe(false);
		expect(isFinalStatus('running')).toBe(false);
		expect(isFinalStatus('pending')).toBe(false);
		expect(isFinalStatus('processing')).toBe(false);
		expect(isFinalStatus('completed')).toBe(true);
		expect(isFinalStatus('failed')).toBe(true);
	});

	it('reads the error of a job whose failure word is not the documented one', () => {
		expect(readSnapshot({ job_id: 'j1', status: 'FAILURE', error: 'boom' })!.error).toEqual({
			code: 'job_failed',
			message: 'boom',
		});
	});

	it.each([
		[undefined],
		['completed'],
		[HTML_502],
		[[]],
		[{ job_id: 'j1' }],
		[{ job_id: 'j1', status: '' }],
		[{ job_id: 'j1', status: { state: 'done' } }],
		[{ status: 'completed' }],
	])(
		'is undefined for %j without a fallback id',
		(body) => {
			expect(readSnapshot(body)).toBeUndefined();
		},
	);
});

describe('failureFromAnswer', () => {
	it('401 is unauthorized, not transient, even without a body', () => {
		expect(failureFromAnswer(reply(401, ''), 'generate', NOW)).toEqual({
			kind: 'unauthorized',
			transient: false,
			httpCode: 401,
			apiCode: undefined,
			apiMessage: undefined,
			retryAfterMs: undefined,
		});
	});

	it('401 wins over a code in the body', () => {
		const failure = failureFromAnswer(
			reply(401, { error: { code: 'rate_limit_exceeded', message: 'Invalid API key' } }),
			'status',
			NOW,
		);
		expect(failure.kind).toBe('unauthorized');
		expect(failure.transient).toBe(false);
		expect(failure.apiMessage).toBe('Invalid API key');
	});

	it.each([
		[{ error: { code: 'invalid_request', message: 'Plan not eligible' } }],
		[{ error: { code: 'not_found', message: 'x' } }],
		[{ error: { code: 'rate_limit_exceeded', message: 'x' } }],
		[''],
	])('403 is plan_not_eligible whatever the body (%j)', (body) => {
		for (const endpoint of ['generate', 'status'] as const) {
			const failure = failureFromAnswer(reply(403, body), endpoint, NOW);
			expect(failure.kind).toBe('plan_not_eligible');
			expect(failure.transient).toBe(false);
			expect(failure.httpCode).toBe(403);
		}
	});

	it('404 on status is job_not_found; on generate it is endpoint_not_found', () => {
		const body = { error: { code: 'not_found', message: 'Job not found' } };
		expect(failureFromAnswer(reply(404, body), 'status', NOW)).toMatchObject({
			kind: 'job_not_found',
			transient: false,
			apiCode: 'not_found',
			apiMessage: 'Job not found',
		});
		expect(failureFromAnswer(reply(404, ''), 'generate', NOW)).toMatchObject({
			kind: 'endpoint_not_found',
			transient: false,
		});
	});

	it('idempotency_conflict from 409 or from the code', () => {
		expect(failureFromAnswer(reply(409, ''), 'generate', NOW)).toMatchObject({
			kind: 'idempotency_conflict',
			transient: false,
			httpCode: 409,
		});
		expect(
			failureFromAnswer(reply(422, { error: { code: 'idempotency_conflict', message: 'Key reused' } }), 'generate', NOW),
		).toMatchObject({ kind: 'idempotency_conflict', transient: false, apiMessage: 'Key reused' });
		expect(
			failureFromAnswer(reply(400, { error: { code: 'idempotency_conflict', message: 'Key reused' } }), 'generate', NOW)
				.kind,
		).toBe('idempotency_conflict');
	});

	it('400 is told apart by its code', () => {
		expect(
			failureFromAnswer(reply(400, { error: { code: 'invalid_request', message: 'prompt is required' } }), 'generate', NOW),
		).toEqual({
			kind: 'invalid_request',
			transient: false,
			httpCode: 400,
			apiCode: 'invalid_request',
			apiMessage: 'prompt is required',
			retryAfterMs: undefined,
		});
		expect(
			failureFromAnswer(
				reply(400, { error: { code: 'ambiguous_template_name', message: '3 templates match "Sales"' } }),
				'generate',
				NOW,
			),
		).toMatchObject({ kind: 'ambiguous_template_name', transient: false, apiMessage: '3 templates match "Sales"' });
		expect(failureFromAnswer(reply(400, ''), 'generate', NOW).kind).toBe('invalid_request');
	});

	it('429 is transient and carries Retry-After (seconds or date)', () => {
		const seconds = failureFromAnswer(
			reply(429, { error: { code: 'rate_limit_exceeded', message: 'Slow down' } }, { 'retry-after': '12' }),
			'status',
			NOW,
		);
		expect(seconds).toEqual({
			kind: 'rate_limited',
			transient: true,
			httpCode: 429,
			apiCode: 'rate_limit_exceeded',
			apiMessage: 'Slow down',
			retryAfterMs: 12_000,
		});
		const date = failureFromAnswer(reply(429, '', { 'retry-after': 'Mon, 10 Mar 2025 12:00:45 GMT' }), 'generate', NOW);
		expect(date).toMatchObject({ kind: 'rate_limited', transient: true, retryAfterMs: 45_000 });
		expect(failureFromAnswer(reply(429, ''), 'generate', NOW).retryAfterMs).toBeUndefined();
	});

	it.each([[500], [502], [503], [504], [408]])('%d is a transient server error', (code) => {
		const failure = failureFromAnswer(reply(code, { error: { message: 'oops' } }), 'status', NOW);
		expect(failure.kind).toBe('server_error');
		expect(failure.transient).toBe(true);
		expect(failure.httpCode).toBe(code);
	});

	it('an HTML 502 is a transient server error with no API message', () => {
		const failure = failureFromAnswer(reply(502, HTML_502, { 'retry-after': '3' }), 'generate', NOW);
		expect(failure).toEqual({
			kind: 'server_error',
			transient: true,
			httpCode: 502,
			apiCode: undefined,
			apiMessage: undefined,
			retryAfterMs: 3_000,
		});
	});

	it.each([
		[301, 'https://app.perceptis.ai/login?next=/api', 'https://app.perceptis.ai/login'],
		[307, 'https://elsewhere.example.net/api/v1/status/j1?token=secret', 'https://elsewhere.example.net/api/v1/status/j1'],
		[308, '/moved/here?x=1', 'https://app.perceptis.ai/moved/here'],
		[302, undefined, undefined],
	])('a %d redirect is final and names its target without the query', (code, location, target) => {
		const failure = failureFromAnswer(reply(code, '', location ? { location } : {}), 'status', NOW);
		expect(failure).toEqual({ kind: 'redirected', transient: false, httpCode: code, location: target });
	});

	it.each([[200, HTML_502], [201, ''], [202, { status: 'accepted' }], [200, 'not json']])(
		'a %d answer without a readable job is a transient unreadable_answer',
		(code, body) => {
			const failure = failureFromAnswer(reply(code, body), 'generate', NOW);
			expect(failure.kind).toBe('unreadable_answer');
			expect(failure.transient).toBe(true);
			expect(failure.httpCode).toBe(code);
		},
	);

	it.each<[unknown, string]>([
		['<!doctype html><html><head><title>Sign in – Acme SSO</title></head></html>', 'an HTML page titled "Sign in – Acme SSO"'],
		['<html><body>no title</body></html>', 'an HTML or XML page'],
		['{"job_id":"j1","status":"proc', 'JSON that is cut off or broken'],
		['just words', 'text that is not JSON'],
		['', 'an empty answer'],
		[[{ job_id: 'j1' }], 'a JSON list instead of a job'],
		[{ message: 'ok' }, 'JSON without a job id'],
		[{ job_id: 'j1', message: 'ok' }, 'JSON without a "status" field'],
	])('describes the unreadable answer %j as %s', (body, words) => {
		expect(describeAnswerShape(body)).toBe(words);
		expect(failureFromAnswer(reply(200, body), 'status', NOW).answerShape).toBe(words);
	});

	it('402 and insufficient_credits are not transient', () => {
		expect(failureFromAnswer(reply(402, ''), 'generate', NOW)).toMatchObject({
			kind: 'insufficient_credits',
			transient: false,
		});
		expect(
			failureFromAnswer(reply(400, { error: { code: 'insufficient_credits', message: 'No credits' } }), 'generate', NOW)
				.kind,
		).toBe('insufficient_credits');
	});

	it('an undocumented status is http_error, not transient', () => {
		expect(failureFromAnswer(reply(418, ''), 'generate', NOW)).toMatchObject({ kind: 'http_error', transient: false });
	});
});

describe('hintFromAnswer', () => {
	it('reads Retry-After of a successful answer', () => {
		expect(hintFromAnswer(reply(200, {}, { 'retry-after': '8' }), NOW)).toBe(8_000);
		expect(hintFromAnswer(reply(200, {}), NOW)).toBeUndefined();
	});
});

describe('failureFromNetwork and network failures', () => {
	it('a reset or timeout is a transient network failure', () => {
		expect(failureFromNetwork({ networkCode: 'ECONNRESET', url: 'https://app.perceptis.ai/api/v1/status/j1' })).toEqual({
			kind: 'network',
			transient: true,
			networkCode: 'ECONNRESET',
		});
		expect(failureFromNetwork({ networkCode: 'ETIMEDOUT', url: 'https://x' }).kind).toBe('network');
	});

	it('a cancelled request is cancelled, not transient', () => {
		expect(failureFromNetwork({ networkCode: 'ERR_CANCELED', url: 'https://x' })).toEqual({
			kind: 'cancelled',
			transient: false,
			networkCode: 'ERR_CANCELED',
		});
	});

	it('keeps no URL in the failure (a pre-signed query is a credential)', () => {
		const failure = failureFromNetwork({ networkCode: 'ECONNRESET', url: 'https://storage.example.com/j1/0.pptx' });
		expect(JSON.stringify(failure)).not.toContain('storage.example.com');
	});

	it('isNetworkFailure tells a network failure from an HTTP answer', () => {
		expect(isNetworkFailure({ networkCode: 'ECONNRESET', url: 'https://x' })).toBe(true);
		expect(isNetworkFailure({ statusCode: 500, headers: {}, body: '' })).toBe(false);
		expect(isNetworkFailure(null)).toBe(false);
		expect(isNetworkFailure('ECONNRESET')).toBe(false);
	});

	it('networkCodeOf digs the code out of nested errors', () => {
		expect(networkCodeOf({ code: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
		expect(networkCodeOf({ message: 'wrapped', cause: { code: 'ECONNRESET' } })).toBe('ECONNRESET');
		expect(networkCodeOf(new Error('timeout of 60000ms exceeded'))).toBe('ETIMEDOUT');
		expect(networkCodeOf(new Error('The operation was aborted'))).toBe('ERR_CANCELED');
		expect(networkCodeOf(new Error('getaddrinfo ENOTFOUND app.perceptis.ai'))).toBe('ENOTFOUND');
		expect(networkCodeOf(new Error('something odd'))).toBe('ENETWORK');
		const loop: { message: string; cause?: unknown } = { message: 'loop' };
		loop.cause = loop;
		expect(networkCodeOf(loop)).toBe('ENETWORK');
	});
});

describe('statusOutcome', () => {
	it.each([
		['pending', 'running'],
		['processing', 'running'],
		['queued', 'running'],
		['in_progress', 'running'],
		['completed', 'completed'],
		['Succeeded', 'completed'],
		['done', 'completed'],
		['failed', 'failed'],
		['FAILURE', 'failed'],
		['cancelled', 'ended'],
		['canceled', 'ended'],
		['expired', 'ended'],
		['error', 'ended'],
		['timed-out', 'ended'],
	])('%s is %s', (status, outcome) => {
		expect(statusOutcome(status)).toBe(outcome);
	});
});
