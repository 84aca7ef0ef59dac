/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Generate, Wait for Completion, Get Status and Download against the simulator over real HTTP.
 */
import { useFastSimulator, generateRequests, isPptx, runPerceptis } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck about tides') => ({ operation: 'generate', outputType: 'deck', prompt });

describe('generate and wait', () => {
	it('returns the completed job with its .pptx as binary data', async () => {
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.json.status).toBe('completed');
		expect(item.json.jobId).toBe(sim.jobs()[0].id);
		expect(item.json.downloads).toHaveLength(1);
		expect(item.pairedItem).toEqual({ item: 0 });
		const file = item.binary!.data;
		expect(file.mimeType).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect(file.fileName).toMatch(/\.pptx$/);
		expect(isPptx(file.data)).toBe(true);
	});

	it('returns one file per variant of a single slide, named by the API when it names them', async () => {
		sim.configure({ extraDownloadFields: true });
		const { items } = await runPerceptis(sim, {
			operation: 'generate',
			outputType: 'single_slide',
			prompt: 'One slide',
			options: { variantCount: 3 },
		});
		const binary = items[0].binary!;
		expect(Object.keys(binary).sort()).toEqual(['data', 'data_1', 'data_2']);
		const apiNames = (items[0].json.downloads as Array<{ file_name: string }>).map((d) => d.file_name);
		expect([binary.data.fileName, binary.data_1.fileName, binary.data_2.fileName]).toEqual(apiNames);
		expect(sim.jobs()[0].variantCount).toBe(3);
	});

	it('downloads without the Authorization header (pre-signed links on another host)', async () => {
		await runPerceptis(sim, deck());
		const storage = sim.requests.filter((r) => r.server === 'storage');
		expect(storage.length).toBeGreaterThan(0);
		for (const request of storage) expect(request.headers.authorization).toBeUndefined();
		const api = sim.requests.filter((r) => r.server === 'api');
		for (const request of api) expect(request.headers.authorization).toBe(`Bearer ${sim.keys.business}`);
	});

	it('sends the documented body fields', async () => {
		await runPerceptis(sim, {
			operation: 'generate',
			outputType: 'single_slide',
			prompt: '  Trimmed prompt  ',
			options: { templateName: 'Minimal', useWebSearch: true, useKnowledgeBase: true, variantCount: 2 },
		});
		expect(generateRequests(sim)[0].body).toEqual({
			prompt: 'Trimmed prompt',
			output_type: 'single_slide',
			template_name: 'Minimal',
			variant_count: 2,
			use_web_search: true,
			use_knowledge_base: true,
		});
		expect(generateRequests(sim)[0].headers['content-type']).toMatch(/application\/json/);
	});

	it('sends reference images from the item\'s binary fields as base64', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const { error } = await runPerceptis(
			sim,
			{ operation: 'generate', outputType: 'single_slide', prompt: 'With logo', options: { referenceImages: 'logo' } },
			{ items: [{ json: {}, binary: { logo: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'logo.png' } } }] },
		);
		expect(error).toBeUndefined();
		expect((generateRequests(sim)[0].body as { reference_images: unknown }).reference_images).toEqual([
			{ data: png.toString('base64'), mime_type: 'image/png' },
		]);
	});

	it('can skip the download and return the links only', async () => {
		const { items } = await runPerceptis(sim, { ...deck(), options: { downloadFiles: false } });
		expect(items[0].json.status).toBe('completed');
		expect(items[0].binary).toBeUndefined();
		expect(sim.requests.filter((r) => r.server === 'storage')).toHaveLength(0);
	});
});

describe('without waiting, then the other operations', () => {
	it('returns the job id at once; Wait for Completion and Download pick it up', async () => {
		const started = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		expect(started.items[0].json).toMatchObject({ status: 'pending' });
		const jobId = started.items[0].json.jobId as string;
		expect(typeof started.items[0].json.idempotencyKey).toBe('string');
		expect(sim.requests.filter((r) => r.path.startsWith('/api/v1/status'))).toHaveLength(0);

		// jobId defaults to {{ $json.jobId }}: chain on the previous output item.
		const waited = await runPerceptis(sim, { operation: 'waitForCompletion' }, { items: started.items });
		expect(waited.items[0].json).toMatchObject({ jobId, status: 'completed' });
		expect(isPptx(waited.items[0].binary!.data.data)).toBe(true);

		const status = await runPerceptis(sim, { operation: 'getStatus' }, { items: started.items });
		expect(status.items[0].json).toMatchObject({ jobId, status: 'completed' });
		expect(status.items[0].binary).toBeUndefined();

		const downloaded = await runPerceptis(sim, { operation: 'download', jobId });
		expect(isPptx(downloaded.items[0].binary!.data.data)).toBe(true);
		expect(generateRequests(sim)).toHaveLength(1);
	});

	it('Get Status reports a failed job as a result, with its error', async () => {
		const started = await runPerceptis(sim, { ...deck('[sim:fail] doomed'), waitForCompletion: false });
		await new Promise((resolve) => setTimeout(resolve, 800));
		const { items, error } = await runPerceptis(sim, { operation: 'getStatus' }, { items: started.items });
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('failed');
		expect(items[0].json.error).toMatchObject({ code: 'generation_failed' });
	});

	it('Download of a job still running says so and how to wait for it', async () => {
		const started = await runPerceptis(sim, { ...deck('[sim:never] forever'), waitForCompletion: false });
		const { error } = await runPerceptis(sim, { operation: 'download' }, { items: started.items });
		const jobId = started.items[0].json.jobId as string;
		expect(error!.message).toContain(`Perceptis job ${jobId} has no files to download`);
		expect(error!.description).toContain('Wait for Completion');
	});

	it('URL-encodes job ids that need it', async () => {
		sim.configure({ jobIdStyle: 'needs-encoding' });
		const started = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		const jobId = started.items[0].json.jobId as string;
		expect(jobId).toMatch(/[/ +?#]/);
		const waited = await runPerceptis(sim, { operation: 'waitForCompletion', jobId });
		expect(waited.error).toBeUndefined();
		expect(waited.items[0].json).toMatchObject({ jobId, status: 'completed' });
	});
});

describe('undocumented variants of the API', () => {
	it.each([200, 201, 202] as const)('accepts a %s answer to generate', async (generateSuccessStatus) => {
		sim.configure({ generateSuccessStatus });
		const { items } = await runPerceptis(sim, deck());
		expect(items[0].json.status).toBe('completed');
	});

	it.each(['jobId', 'id'] as const)('reads the job id from "%s"', async (jobIdField) => {
		sim.configure({ jobIdField });
		const { items } = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		expect(items[0].json.jobId).toBe(sim.jobs()[0].id);
	});

	it('reads a failed job\'s error given as a plain string', async () => {
		sim.configure({ failedErrorForm: 'string' });
		const { error } = await runPerceptis(sim, deck('[sim:fail] x'));
		expect(error!.message).toMatch(/^Perceptis job .+ failed: .+/);
	});

	it('follows Retry-After given as an HTTP date on status answers', async () => {
		sim.configure({ retryAfterFormat: 'http-date', statusRetryAfterSeconds: 2 });
		const { items } = await runPerceptis(sim, deck());
		expect(items[0].json.status).toBe('completed');
		const polls = sim.jobs()[0].pollTimes;
		for (let i = 1; i < polls.length; i++) expect(polls[i] - polls[i - 1]).toBeGreaterThanOrEqual(950);
	});
});
