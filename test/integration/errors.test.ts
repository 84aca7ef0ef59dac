/**
 * Every error a user can meet, as the node reports it: message, remedy, HTTP code, item index
 * and, whenever a job exists, the job id. (The key-leak check runs inside runPerceptis.)
 */
import { useFastSimulator, generateRequests, runPerceptis } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck') => ({ operation: 'generate', outputType: 'deck', prompt });

describe('key and plan errors cannot be misread', () => {
	it.each(['object', 'string', 'none'] as const)('401 (error body: %s) says invalid or revoked key', async (errorBodyForm) => {
		sim.configure({ errorBodyForm });
		const { error } = await runPerceptis(sim, deck(), { key: 'revoked' });
		expect(error!.message).toMatch(/^The Perceptis API key is invalid or revoked \(HTTP 401\)/);
		expect(error!.description).toMatch(/Developer Settings/);
		expect(error!.httpCode).toBe('401');
		expect(error!.context!.itemIndex).toBe(0);
		expect(generateRequests(sim)).toHaveLength(1);
	});

	it.each(['starter', 'trial', 'free'] as const)('403 for a %s key says the plan is not eligible', async (key) => {
		const { error } = await runPerceptis(sim, deck(), { key });
		expect(error!.message).toMatch(/plan does not include API access \(HTTP 403\)/);
		expect(error!.description).toMatch(/Business and Enterprise/);
		expect(error!.httpCode).toBe('403');
	});

	it('404 with another key says to use the same credential, with the job id', async () => {
		const started = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		const jobId = started.items[0].json.jobId as string;
		const { error } = await runPerceptis(sim, { operation: 'waitForCompletion', jobId }, { key: 'business2' });
		expect(error!.message).toBe(`Perceptis job "${jobId}" was not found for this API key (HTTP 404)`);
		expect(error!.description).toMatch(/same Perceptis credential/);
		expect(error!.description).toContain(`Job ID: ${jobId}`);
		expect(error!.context!.jobId).toBe(jobId);
	});
});

describe('request errors', () => {
	it('invalid_request shows the API\'s own message', async () => {
		const { error } = await runPerceptis(sim, { ...deck(), options: { templateName: 'No Such Template' } });
		expect(error!.message).toMatch(/No Such Template/);
		expect(error!.httpCode).toBe('400');
		expect(error!.description).toMatch(/No job was started/);
	});

	it('ambiguous_template_name asks for the exact name', async () => {
		const { error } = await runPerceptis(sim, { ...deck(), options: { templateName: 'Quarterly Review' } });
		expect(error!.context!.failureKind).toBe('ambiguous_template_name');
		expect(error!.description).toMatch(/full, exact name.*"Quarterly Review"/);
	});

	it('idempotency_conflict names the key and the fix', async () => {
		await runPerceptis(sim, { ...deck('first'), waitForCompletion: false, options: { idempotencyKey: 'my-key-1' } });
		const { error } = await runPerceptis(sim, {
			...deck('second, different'),
			waitForCompletion: false,
			options: { idempotencyKey: 'my-key-1' },
		});
		expect(error!.context!.failureKind).toBe('idempotency_conflict');
		expect(error!.description).toContain('"my-key-1"');
		expect(sim.jobs()).toHaveLength(1);
	});

	it('running out of credits (undocumented insufficient_credits) says so, and no job was started', async () => {
		const { error } = await runPerceptis(sim, deck('[sim:credits] out of money'));
		expect(error!.context!.failureKind).toBe('insufficient_credits');
		expect(error!.message).toMatch(/credit pool is exhausted/);
		expect(error!.httpCode).toBe('402');
		expect(sim.jobs()).toHaveLength(0);
	});

	it('a failed job reports its code and message, and is not charged', async () => {
		const { error } = await runPerceptis(sim, deck('[sim:fail] please'));
		const jobId = sim.jobs()[0].id;
		expect(error!.message).toMatch(new RegExp(`^Perceptis job ${jobId} failed: .+\\(generation_failed\\)$`));
		expect(error!.description).toMatch(/not charged/);
		expect(sim.creditsCharged()).toBe(0);
	});

	it('the deadline stops the wait with the job id, last status and how to resume', async () => {
		const { error, elapsedMs } = await runPerceptis(sim, { ...deck('[sim:never] slow'), options: { timeoutSeconds: 2 } });
		const jobId = sim.jobs()[0].id;
		expect(error!.message).toBe(`Perceptis job ${jobId} did not finish within 2 s (last status: processing)`);
		expect(error!.description).toContain('Wait for Completion');
		expect(error!.description).toContain(`Job ID ${jobId}`);
		expect(elapsedMs).toBeLessThan(8_000);
	});

	it('429 that outlasts the retries says so, and no job was started twice', async () => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'rate-limit', times: 10, retryAfterSeconds: 0 });
		const { error } = await runPerceptis(sim, deck());
		expect(error!.message).toMatch(/too many requests.*HTTP 429.*after 4 attempt/);
		expect(generateRequests(sim)).toHaveLength(4);
		expect(new Set(generateRequests(sim).map((r) => r.headers['idempotency-key'])).size).toBe(1);
	}, 30_000);

	it('a Base URL with a path is rejected before any request, saying what to type', async () => {
		const { error } = await runPerceptis(sim, deck(), { baseUrl: `${sim.origin}/v2` });
		expect(error!.message).toContain('"/v2"');
		expect(error!.description).toContain(`Type ${sim.origin}`);
		expect(sim.requests).toHaveLength(0);
	});

	it('accepts the origin typed with /api/v1/', async () => {
		const { items } = await runPerceptis(sim, deck(), { baseUrl: `${sim.origin}/api/v1/` });
		expect(items[0].json.status).toBe('completed');
	});
});

describe('continue on fail', () => {
	it('one failed item does not stop the others; its error item carries the job id', async () => {
		const prompts = ['good one', '[sim:fail] bad one', 'good two'];
		const { items, error } = await runPerceptis(sim, (i) => deck(prompts[i]), {
			items: prompts.map(() => ({ json: {} })),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.status)).toEqual(['completed', 'failed', 'completed']);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const failedJob = sim.jobs().find((job) => job.prompt.includes('bad one'))!;
		expect(items[1].json.jobId).toBe(failedJob.id);
		// The API's own failure code, with the node's kind beside it.
		expect(items[1].json.error).toMatchObject({ code: 'generation_failed', kind: 'job_failed' });
		expect(items[0].binary!.data).toBeDefined();
	});

	it('with "continue (using error output)", a failed item holds only `error` (so n8n routes it there), job id inside', async () => {
		const prompts = ['good one', '[sim:fail] bad one'];
		const { items } = await runPerceptis(sim, (i) => deck(prompts[i]), {
			items: prompts.map(() => ({ json: {} })),
			onError: 'continueErrorOutput',
		});
		expect(items[0].json).toMatchObject({ status: 'completed' });
		const failedJob = sim.jobs().find((job) => job.prompt.includes('bad one'))!;
		expect(Object.keys(items[1].json)).toEqual(['error']);
		expect(items[1].json.error).toMatchObject({ code: 'generation_failed', kind: 'job_failed', jobId: failedJob.id, status: 'failed' });
		expect(items[1].error).toBeUndefined();
	});

	it('without it, the error names the other jobs of the run so none is lost', async () => {
		const prompts = ['[sim:fail] first fails', 'second is fine'];
		const { error } = await runPerceptis(sim, (i) => deck(prompts[i]), { items: prompts.map(() => ({ json: {} })) });
		const other = sim.jobs().find((job) => job.prompt.includes('second'))!;
		expect(error!.message).toMatch(/failed/);
		expect(error!.description).toContain(other.id);
	});
});
