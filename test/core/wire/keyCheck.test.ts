/**
 * The Test button's question (core/wire/keyCheck.ts): a working key gets the API's JSON 404 for
 * a job that cannot exist; anything else says what is wrong.
 */
import { checkKey, KEY_CHECK_JOB_ID } from '../../../core/wire/keyCheck';
import type { PerceptisClient } from '../../../core/wire/client';
import type { HttpAnswer, NetworkFailure } from '../../../core/wire/http';

function clientAnswering(answer: HttpAnswer | NetworkFailure, asked: string[] = []): PerceptisClient {
	return {
		origin: 'https://app.perceptis.ai',
		generate: async () => {
			throw new Error('the key check must never start a job');
		},
		status: async (jobId) => {
			asked.push(jobId);
			return answer;
		},
		downloadFile: async () => {
			throw new Error('no download');
		},
	};
}

const reply = (statusCode: number, body: unknown, headers: Record<string, unknown> = {}): HttpAnswer => ({
	url: `https://app.perceptis.ai/api/v1/status/${KEY_CHECK_JOB_ID}`,
	statusCode,
	headers,
	body,
});

describe('checkKey', () => {
	it("counts the API's JSON 404 as a working key, asking only about the job that cannot exist", async () => {
		const asked: string[] = [];
		expect(await checkKey(clientAnswering(reply(404, { error: { code: 'not_found', message: 'Job not found' } }), asked), 0)).toEqual({ works: true });
		expect(asked).toEqual([KEY_CHECK_JOB_ID]);
	});

	it.each([
		[reply(401, ''), 'unauthorized'],
		[reply(403, { error: { code: 'forbidden', message: 'Business and Enterprise only' } }), 'plan_not_eligible'],
		[reply(404, '<h1>Not Found</h1>'), 'endpoint_not_found'],
		[reply(200, { job_id: 'x', status: 'processing' }), 'unreadable_answer'],
		[reply(302, '', { location: 'https://login.example.com/' }), 'redirected'],
		[reply(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': '5' }), 'rate_limited'],
		[reply(502, '<html>bad gateway</html>'), 'server_error'],
		[{ networkCode: 'ECONNREFUSED', url: 'https://app.perceptis.ai/api/v1/status/x' }, 'network'],
	] as Array<[HttpAnswer | NetworkFailure, string]>)('anything else is a failure: %j → %s', async (answer, kind) => {
		const verdict = await checkKey(clientAnswering(answer), 0);
		expect(verdict.works).toBe(false);
		expect(!verdict.works && verdict.failure.kind).toBe(kind);
	});
});
