/**
 * The transport's reading of failures below HTTP: n8n enforces a request's timeout by aborting
 * it, so an abort is a cancellation only when the run itself ended (Stop, its deadline).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { PerceptisClient } from '../../core/wire/client';
import { isNetworkFailure } from '../../core/wire/http';
import { createClient } from '../../nodes/Perceptis/n8n/http';

/** What axios throws when its signal aborts a request (n8n aborts on `timeout` and on Stop). */
const abortedByAxios = () => Object.assign(new Error('canceled'), { name: 'CanceledError', code: 'ERR_CANCELED' });

async function transportThatThrows(error: () => Error, runSignal: AbortSignal): Promise<PerceptisClient> {
	const ctx = {
		getCredentials: async () => ({ apiKey: 'not-a-real-key', baseUrl: 'https://app.perceptis.ai' }),
		helpers: {
			httpRequestWithAuthentication: async () => {
				throw error();
			},
			httpRequest: async () => {
				throw error();
			},
		},
	} as unknown as IExecuteFunctions;
	return (await createClient(ctx, runSignal)) as PerceptisClient;
}

describe('a request aborted below HTTP', () => {
	it.each(['status', 'generate', 'download'] as const)('%s: while the run goes on, it is a timeout (retried)', async (request) => {
		const transport = await transportThatThrows(abortedByAxios, new AbortController().signal);
		const answer =
			request === 'status'
				? await transport.status('job-1')
				: request === 'generate'
					? await transport.generate({ prompt: 'x' }, 'key-1')
					: await transport.downloadFile('https://storage.example.com/f.pptx');
		expect(isNetworkFailure(answer) && answer.networkCode).toBe('ETIMEDOUT');
	});

	it('after Stop (the run signal aborted), it is a cancellation', async () => {
		const run = new AbortController();
		run.abort();
		const transport = await transportThatThrows(abortedByAxios, run.signal);
		const answer = await transport.status('job-1');
		expect(isNetworkFailure(answer) && answer.networkCode).toBe('ERR_CANCELED');
	});

	it('other codes are kept as they are', async () => {
		const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const transport = await transportThatThrows(reset, new AbortController().signal);
		const answer = await transport.status('job-1');
		expect(isNetworkFailure(answer) && answer.networkCode).toBe('ECONNRESET');
	});
});
