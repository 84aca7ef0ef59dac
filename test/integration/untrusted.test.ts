/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Trust nothing the network says: redirects never carry the key to another host, answers that
 * are not a job end the item quickly and name the Base URL, unknown final words end the wait,
 * a job without files or a page in place of a file is an error, and the output suits the nodes
 * downstream (one item per file, the API's own failure code, links marked as short-lived).
 *
 * The test context behaves like n8n's helpers on redirects: it follows them and copies the
 * Authorization header to the other host unless the node asks it not to follow.
 */
import { generateRequests, isPptx, runPerceptis, useFastSimulator } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck') => ({ operation: 'generate', outputType: 'deck', prompt });
const slide = (prompt = 'A slide', options = {}) => ({ operation: 'generate', outputType: 'single_slide', prompt, options });
const statusPath = '/api/v1/status/';

const foreignRequests = () => sim.requests.filter((request) => request.server === 'foreign');

describe('redirects', () => {
	it('a status request redirected to another host ends the item there, and the other host sees no key', async () => {
		sim.injectFault({ method: 'GET', path: statusPath, kind: 'redirect', redirectTo: 'foreign' });
		const { error } = await runPerceptis(sim, deck());
		expect(foreignRequests()).toEqual([]);
		expect(error?.message).toContain(`The Perceptis Base URL ${sim.origin} redirects to ${sim.foreignOrigin}${statusPath}`);
		expect(error?.message).toContain('the API key was not sent there');
		expect(error?.description).toContain(`type ${sim.foreignOrigin} in the Base URL field`);
		expect(error?.context?.jobId).toBe(sim.jobs()[0].id);
	}, 30_000);

	it.each([301, 302, 303, 308] as const)('a %d on the start to another host starts nothing there', async (redirectStatus) => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'redirect', redirectTo: 'foreign', redirectStatus });
		const { error } = await runPerceptis(sim, deck());
		expect(foreignRequests()).toEqual([]);
		expect(error?.message).toContain(`redirects to ${sim.foreignOrigin}/api/v1/generate (HTTP ${redirectStatus})`);
		expect(sim.jobs()).toHaveLength(0);
	}, 30_000);

	it('a redirect within the configured origin is followed', async () => {
		sim.injectFault({ method: 'GET', path: statusPath, kind: 'redirect', redirectTo: 'same', times: 2 });
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'redirect', redirectTo: 'same', redirectStatus: 307 });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('completed');
		expect(generateRequests(sim).map((request) => request.path)).toEqual([
			'/api/v1/generate',
			'/api/v1/generate?redirected=1',
		]);
		expect(sim.jobs()).toHaveLength(1);
	}, 30_000);

	it('a redirect of the API to the storage host is refused too (the key never goes there)', async () => {
		sim.injectFault({ method: 'GET', path: statusPath, kind: 'redirect', redirectTo: 'storage' });
		const { error } = await runPerceptis(sim, deck());
		expect(error?.message).toContain(`redirects to ${sim.storageOrigin}`);
		expect(sim.requests.filter((r) => r.server === 'storage' && r.headers.authorization)).toEqual([]);
	}, 30_000);
});

describe('answers that are not a job end the item quickly and name the Base URL', () => {
	it.each([
		['html200', 'an HTML page titled "Sign in"'],
		['json-without-status', 'JSON without a "status" field'],
	] as const)('%s on every status answer', async (kind, shape) => {
		sim.injectFault({ method: 'GET', path: statusPath, kind, times: 10 });
		const { error, elapsedMs } = await runPerceptis(sim, { ...deck(), options: { timeoutSeconds: 1800 } });
		expect(error?.message).toBe(
			`The Perceptis Base URL ${sim.origin} answered with ${shape} for job ${sim.jobs()[0].id}, not a job (HTTP 200)`,
		);
		expect(error?.description).toContain('Check the Base URL');
		expect(error?.context?.jobId).toBe(sim.jobs()[0].id);
		expect(sim.requests.filter((r) => r.path.startsWith(statusPath))).toHaveLength(3);
		expect(elapsedMs).toBeLessThan(20_000);
	}, 30_000);

	it('an HTML page in answer to the start ends it without a second job', async () => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'html200', times: 10 });
		const { error } = await runPerceptis(sim, deck());
		expect(error?.message).toContain('answered with an HTML page titled "Sign in", not a job');
		expect(generateRequests(sim)).toHaveLength(3);
		expect(new Set(generateRequests(sim).map((r) => r.headers['idempotency-key'])).size).toBe(1);
	}, 30_000);
});

describe('statuses the docs do not list', () => {
	it.each(['cancelled', 'expired', 'error'])('a job that ends "%s" ends the wait at once, with the word', async (word) => {
		const { error, elapsedMs } = await runPerceptis(sim, deck(`A deck [sim:status=${word}]`));
		expect(error?.message).toBe(`Perceptis job ${sim.jobs()[0].id} ended with status "${word}" and no result`);
		expect(error?.context?.failureKind).toBe('job_ended');
		expect(elapsedMs).toBeLessThan(15_000);
	}, 30_000);

	it('Get Status shows the word as it is', async () => {
		const first = await runPerceptis(sim, { ...deck('A deck [sim:status=cancelled]'), waitForCompletion: false });
		const jobId = first.items[0].json.jobId as string;
		await new Promise((resolve) => setTimeout(resolve, 800));
		const { items, error } = await runPerceptis(sim, { operation: 'getStatus', jobId });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ jobId, status: 'cancelled' });
	}, 30_000);

	it('an unknown running word ("queued") is waited through', async () => {
		const { items, error } = await runPerceptis(sim, deck('A deck [sim:running=queued]'));
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('completed');
	}, 30_000);
});

describe('files are what they claim', () => {
	it('a completed job without files is an error with the job id', async () => {
		const { error } = await runPerceptis(sim, deck('A deck [sim:nofiles]'));
		expect(error?.message).toBe(`Perceptis job ${sim.jobs()[0].id} completed but returned no files`);
		expect(error?.context?.jobId).toBe(sim.jobs()[0].id);
	}, 30_000);

	it('…and an error item under Continue On Fail, with the job id and code', async () => {
		const { items, error } = await runPerceptis(sim, deck('A deck [sim:nofiles]'), { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			jobId: sim.jobs()[0].id,
			status: 'completed',
			error: { code: 'no_files', kind: 'no_files' },
		});
		expect(items[0].binary).toBeUndefined();
	}, 30_000);

	it('without Download Files, a job without files is simply completed', async () => {
		const { items, error } = await runPerceptis(sim, { ...deck('A deck [sim:nofiles]'), options: { downloadFiles: false } });
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('completed');
	}, 30_000);

	it.each(['html200', 'not-a-file'] as const)('one %s from storage gets a fresh link, then the real file', async (kind) => {
		sim.injectFault({ server: 'storage', kind, times: 1 });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(isPptx(items[0].binary!.data.data)).toBe(true);
		expect(sim.requests.filter((r) => r.server === 'storage')).toHaveLength(2);
	}, 30_000);

	it.each([
		['html200', 'an HTML page titled "Sign in" (Content-Type text/html)'],
		['not-a-file', 'a file that does not start like a .pptx file (Content-Type application/octet-stream)'],
	] as const)('%s twice is an error, never a .pptx holding a page', async (kind, shape) => {
		sim.injectFault({ server: 'storage', kind, times: 2 });
		const { items, error } = await runPerceptis(sim, deck());
		expect(items).toEqual([]);
		expect(error?.message).toBe(`The file of Perceptis job ${sim.jobs()[0].id} is not a presentation: the storage host sent ${shape}`);
	}, 30_000);

	it('an API file name with another extension keeps it, with a matching MIME type', async () => {
		sim.configure({ extraDownloadFields: true, fileNameExtension: 'potx' });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(items[0].binary!.data.fileName).toMatch(/\.potx$/);
		expect(items[0].binary!.data.mimeType).toBe('application/vnd.openxmlformats-officedocument.presentationml.template');
	}, 30_000);

	it('binary fields and fallback file names use the same numbering', async () => {
		const { items, error } = await runPerceptis(sim, slide('Three variants', { variantCount: 3 }));
		expect(error).toBeUndefined();
		const jobId = items[0].json.jobId as string;
		const binary = items[0].binary!;
		expect(Object.keys(binary)).toEqual(['data', 'data_1', 'data_2']);
		expect([binary.data.fileName, binary.data_1.fileName, binary.data_2.fileName]).toEqual([
			`perceptis-${jobId}.pptx`,
			`perceptis-${jobId}_1.pptx`,
			`perceptis-${jobId}_2.pptx`,
		]);
	}, 30_000);
});

describe('output that downstream nodes can use', () => {
	it('One per File: one item per variant, each paired to its input item, each file in the same field', async () => {
		const items = [{ json: { topic: 'a' } }, { json: { topic: 'b' } }];
		const { items: out, error } = await runPerceptis(
			sim,
			(itemIndex) => slide(`Slide ${itemIndex}`, { variantCount: itemIndex + 1, outputItems: 'perFile' }),
			{ items },
		);
		expect(error).toBeUndefined();
		expect(out.map((item) => [item.pairedItem, item.json.fileIndex, item.json.fileCount])).toEqual([
			[{ item: 0 }, 0, 1],
			[{ item: 1 }, 0, 2],
			[{ item: 1 }, 1, 2],
		]);
		for (const item of out) {
			expect(Object.keys(item.binary!)).toEqual(['data']);
			expect(isPptx(item.binary!.data.data)).toBe(true);
			expect(item.json.fileName).toBe(item.binary!.data.fileName);
			expect((item.json.download as { url: string }).url).toMatch(/^http/);
			expect(item.json.downloads).toBeUndefined();
		}
		expect(out[1].json.jobId).toBe(out[2].json.jobId);
	}, 30_000);

	it("with Continue On Fail, error.code is the API's own failure code and error.kind the node's", async () => {
		const { items } = await runPerceptis(sim, deck('A deck [sim:fail]'), { continueOnFail: true });
		expect(items[0].json).toMatchObject({
			jobId: sim.jobs()[0].id,
			status: 'failed',
			error: { code: 'generation_failed', kind: 'job_failed' },
		});
	}, 30_000);

	it('…also on the error output', async () => {
		const { items } = await runPerceptis(sim, deck('A deck [sim:credits]'), { onError: 'continueErrorOutput' });
		expect(items[0].json.error).toMatchObject({ code: 'insufficient_credits', kind: 'insufficient_credits', httpCode: '402' });
	}, 30_000);

	it('download links are marked as short-lived', async () => {
		const { items } = await runPerceptis(sim, deck());
		expect(items[0].json.downloadLinks).toEqual({
			shortLived: true,
			fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			note: expect.stringContaining('expire soon'),
		});
	}, 30_000);
});

describe('one job, one second, across nodes', () => {
	it('a Download right after a Wait for Completion reuses its links instead of asking again', async () => {
		const started = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		const jobId = started.items[0].json.jobId as string;
		const waited = await runPerceptis(sim, { operation: 'waitForCompletion', jobId, options: { downloadFiles: false } });
		expect(waited.items[0].json.status).toBe('completed');
		const checksBefore = sim.jobs()[0].pollTimes.length;

		const { items, error } = await runPerceptis(sim, { operation: 'download', jobId: '={{ $json.jobId }}' }, { items: waited.items });
		expect(error).toBeUndefined();
		expect(isPptx(items[0].binary!.data.data)).toBe(true);
		expect(sim.jobs()[0].pollTimes.length).toBe(checksBefore);
	}, 30_000);

	it('links older than the reuse window are fetched fresh', async () => {
		const started = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		const jobId = started.items[0].json.jobId as string;
		const waited = await runPerceptis(sim, { operation: 'waitForCompletion', jobId, options: { downloadFiles: false } });
		const stale = { ...waited.items[0].json, downloadLinks: { shortLived: true, fetchedAt: new Date(Date.now() - 60_000).toISOString() } };
		const checksBefore = sim.jobs()[0].pollTimes.length;
		const { error } = await runPerceptis(sim, { operation: 'download', jobId: '={{ $json.jobId }}' }, { items: [{ json: stale }] });
		expect(error).toBeUndefined();
		expect(sim.jobs()[0].pollTimes.length).toBe(checksBefore + 1);
	}, 30_000);
});
