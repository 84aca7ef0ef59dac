/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Trust nothing the network says, proven in a real n8n (where redirects, credential expressions
 * and the credential tester are n8n's own, not the test context's): the key never follows a
 * redirect to another host, the Test button refuses what the node refuses and trusts only a
 * Perceptis answer, answers that are not a job end quickly, a job without files and a page in
 * place of a file are errors, one item per file, and a Download after a Wait asks nothing again.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import { ORIGIN_REFUSAL_HINTS } from '../../core/origin';
import {
	assertPptx,
	chain,
	nodeError,
	nodeOutput,
	perceptis,
	PERCEPTIS_CREDENTIAL_TYPE,
	PPTX_MIME,
	respondBinary,
	selectedN8nVersion,
	uniquePath,
	webhookTrigger,
	type Execution,
	type PerceptisParameters,
	usePerceptisStack,
} from './harness';

const version = selectedN8nVersion();
const statusPath = '/api/v1/status/';

describe(`untrusted networks, in n8n ${version}`, () => {
	const { sim, client, business } = usePerceptisStack(version);
	let htmlSite: http.Server | undefined;
	let htmlSiteOrigin = '';

	async function foreignRequests() {
		return (await sim.requests()).filter((request) => request.server === 'foreign');
	}

	/** Saves a credential with this Base URL and presses its Test button. */
	async function testButton(baseUrl: string, apiKey = sim.keys.business) {
		const saved = await client.createCredential({
			name: `Perceptis ${uniquePath('test')}`,
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey, baseUrl },
		});
		return await client.testCredential({ ...saved, data: { apiKey, baseUrl } });
	}

	/** A webhook workflow Webhook → Perceptis (answering with the last node), run once. */
	async function runPerceptisFlow(parameters: PerceptisParameters, body: unknown = {}): Promise<{ execution: Execution; ms: number }> {
		const path = uniquePath('untrusted');
		const workflowId = await client.deploy(
			chain(`untrusted ${path}`, [webhookTrigger(path, 'Webhook', 'lastNode'), perceptis(business, parameters)]),
		);
		const started = Date.now();
		await client.runWebhook(path, body);
		const [execution] = await client.waitForExecutions(workflowId, 1);
		return { execution, ms: Date.now() - started };
	}

	beforeAll(async () => {
		htmlSite = http.createServer((_req, res) => {
			res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><title>Not Found</title><h1>Not Found</h1>');
		});
		await new Promise<void>((resolve) => htmlSite!.listen(0, '127.0.0.1', resolve));
		htmlSiteOrigin = `http://127.0.0.1:${(htmlSite.address() as AddressInfo).port}`;
	});

	beforeEach(async () => {
		await sim.reset();
		await sim.configure({ statusRetryAfterSeconds: 1 });
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => (htmlSite ? htmlSite.close(() => resolve()) : resolve()));
	});

	describe("the credential's Test button", () => {
		test('a working key is still a success', async () => {
			expect(await testButton(sim.origin)).toEqual({ status: 'OK', message: expect.stringMatching(/Connection successful/) });
		});

		test('a web server that answers 404 with an HTML page is not Perceptis', async () => {
			const result = await testButton(htmlSiteOrigin);
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/did not answer like the Perceptis API/) });
		});

		test.each([
			['https://app.perceptis.ai/v2', 'f'],
			['http://perceptis.example.com', 'e'],
			['ftp://app.perceptis.ai', 'b'],
			['https://app.perceptis.ai/?token=x', 'd'],
		] as const)('refuses %s as the node does, and sends nothing', async (baseUrl, letter) => {
			const result = await testButton(baseUrl);
			expect(result).toEqual({ status: 'Error', message: ORIGIN_REFUSAL_HINTS[letter] });
		});

		test('a redirect to another host: not followed, so that host never sees the key', async () => {
			await sim.injectFault({ kind: 'redirect', redirectTo: 'foreign', times: 5 });
			const result = await testButton(sim.origin);
			expect(result.status).toBe('Error');
			// 2.x reads the status (our redirect words); 1.x sees only the HTML body (not Perceptis).
			expect(result.message).toMatch(version.startsWith('1.') ? /did not answer like the Perceptis API/ : /redirects elsewhere/);
			expect(await foreignRequests()).toEqual([]);
		});

		test('a revoked key and an ineligible plan are told apart on this version too', async () => {
			expect((await testButton(sim.origin, sim.keys.revoked)).message).toMatch(/invalid or revoked \(HTTP 401\)/);
			expect((await testButton(sim.origin, sim.keys.starter)).message).toMatch(/Only paid Business and Enterprise plans/);
		});
	});

	describe('the node', () => {
		test('a status request redirected to another host: the item ends, that host never sees the key', async () => {
			await sim.injectFault({ method: 'GET', path: statusPath, kind: 'redirect', redirectTo: 'foreign', times: 5 });
			const { execution } = await runPerceptisFlow({ operation: 'generate', outputType: 'deck', prompt: 'A deck' });
			expect(execution.status).toBe('error');
			const error = nodeError(execution, 'Perceptis');
			expect(error?.message).toContain(`redirects to ${sim.foreignOrigin}${statusPath}`);
			expect(error?.message).toContain('the API key was not sent there');
			expect(await foreignRequests()).toEqual([]);
		});

		test('a 200 sign-in page for every status answer ends the item within seconds, naming the Base URL', async () => {
			await sim.injectFault({ method: 'GET', path: statusPath, kind: 'html200', times: 20 });
			const { execution, ms } = await runPerceptisFlow({ operation: 'generate', outputType: 'deck', prompt: 'A deck' });
			expect(execution.status).toBe('error');
			expect(nodeError(execution, 'Perceptis')?.message).toMatch(
				new RegExp(`^The Perceptis Base URL ${sim.origin.replace(/[.]/g, '\\.')} answered with an HTML page titled "Sign in" for job \\S+, not a job`),
			);
			expect(ms).toBeLessThan(30_000);
		});

		test('a completed job without files is an error with its job id', async () => {
			const { execution } = await runPerceptisFlow({ operation: 'generate', outputType: 'deck', prompt: 'A deck [sim:nofiles]' });
			expect(execution.status).toBe('error');
			expect(nodeError(execution, 'Perceptis')?.message).toMatch(/^Perceptis job \S+ completed but returned no files$/);
		});

		test('a sign-in page from storage, twice: an error, never a .pptx holding HTML', async () => {
			await sim.injectFault({ server: 'storage', kind: 'html200', times: 2 });
			const { execution } = await runPerceptisFlow({ operation: 'generate', outputType: 'deck', prompt: 'A deck' });
			expect(execution.status).toBe('error');
			expect(nodeError(execution, 'Perceptis')?.message).toMatch(
				/^The file of Perceptis job \S+ is not a presentation: the storage host sent an HTML page titled "Sign in"/,
			);
		});

		test('One per File: one item per variant, paired to its input item', async () => {
			const { execution } = await runPerceptisFlow({
				operation: 'generate',
				outputType: 'single_slide',
				prompt: 'A slide',
				options: { variantCount: 3, outputItems: 'perFile' },
			});
			expect(execution.status).toBe('success');
			const items = nodeOutput(execution, 'Perceptis');
			expect(items).toHaveLength(3);
			expect(items.map((item) => [item.pairedItem, item.json.fileIndex, Object.keys(item.binary ?? {})])).toEqual([
				[{ item: 0 }, 0, ['data']],
				[{ item: 0 }, 1, ['data']],
				[{ item: 0 }, 2, ['data']],
			]);
			for (const item of items) expect(item.binary?.data).toMatchObject({ mimeType: PPTX_MIME });
		});

		test('Wait for Completion (no files) → Download: the job is not asked about twice within a second', async () => {
			const path = uniquePath('reuse');
			const workflowId = await client.deploy(
				chain('wait then download', [
					webhookTrigger(path),
					perceptis(business, { operation: 'generate', outputType: 'deck', prompt: 'A deck', waitForCompletion: false }, 'Start Job'),
					perceptis(business, { operation: 'waitForCompletion', options: { downloadFiles: false } }, 'Wait'),
					perceptis(business, { operation: 'download' }, 'Download'),
					respondBinary('data'),
				]),
			);
			const response = await client.runWebhook(path, {}, { responseType: 'arraybuffer' });
			assertPptx(Buffer.from(response.data as ArrayBuffer));
			const [execution] = await client.waitForExecutions(workflowId, 1);
			expect(execution.status).toBe('success');
			const [job] = (await sim.jobs()) as Array<{ pollTimes: number[] }>;
			const gaps = job.pollTimes.slice(1).map((time, index) => time - job.pollTimes[index]);
			expect(job.pollTimes.length).toBeGreaterThanOrEqual(1);
			for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
			expect(nodeOutput(execution, 'Download')[0].json.jobId).toBe(nodeOutput(execution, 'Start Job')[0].json.jobId);
		});
	});
});
