/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Never pay twice, in a real n8n: the executions list's Retry (with the original and with the
 * current workflow) and Retry On Fail pick up the job the first run started, a failed job is
 * replaced once per failure, and a failed or stopped run names its jobs machine-readable.
 *
 * This is where the node context (the job ledger) is proven to travel with the execution: the
 * unit and integration tests only emulate how n8n keeps it.
 */
import {
	chain,
	majorOf,
	N8nClient,
	startN8n,
	nodeError,
	nodeOutput,
	perceptis,
	selectedN8nVersion,
	uniquePath,
	webhookTrigger,
	type Execution,
	usePerceptisStack,
} from './harness';

const version = selectedN8nVersion();
/** 6 s of real time at the e2e simulator's time scale (0.005): longer than a 2 s Job Timeout. */
const SLOW = '[sim:seconds=1200]';

interface JobEntry {
	itemIndex: number;
	jobId: string | null;
	status: string;
	error?: string;
}

describe(`retries never pay twice, in n8n ${version}`, () => {
	const { sim, n8n, client, business } = usePerceptisStack(version);

	beforeEach(async () => {
		await sim.reset();
		await sim.configure({ statusRetryAfterSeconds: 1 });
	});

	// Whichever way a test retried, no job was checked twice within a second (the simulator measures).
	afterEach(async () => {
		expect((await sim.checkGaps()).minCheckGapMs ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(1000);
	});

	const jobsOf = async () => (await sim.jobs()) as Array<{ id: string; creditsCharged: number }>;

	/** Deploys webhook → Perceptis, calls it once and returns the ended execution. */
	async function runOnce(name: string, parameters: Record<string, unknown>, extra = {}): Promise<{ workflowId: string; execution: Execution }> {
		const path = uniquePath(name);
		const workflowId = await client.deploy(
			chain(name, [webhookTrigger(path, 'Webhook', 'onReceived'), perceptis(business, { operation: 'generate', outputType: 'deck', ...parameters }, 'Perceptis', extra)]),
		);
		await client.runWebhook(path, {});
		const [execution] = await client.waitForExecutions(workflowId, 1);
		return { workflowId, execution };
	}

	async function retried(workflowId: string, failedId: string | number, loadWorkflow: boolean): Promise<Execution> {
		const retryId = await client.retryExecution(failedId, loadWorkflow, workflowId);
		return await client.getExecution(retryId);
	}

	const jobsInError = (execution: Execution) => (nodeError(execution, 'Perceptis')?.context as { jobs?: JobEntry[] } | undefined)?.jobs;

	test("the executions list's Retry, with the original and with the current workflow, picks up the running job: one job, one charge", async () => {
		const parameters = { operation: 'generate', outputType: 'deck', prompt: `${SLOW} Board deck` };
		const { workflowId, execution } = await runOnce('retry timeout', { ...parameters, options: { timeoutSeconds: 2 } });
		expect(execution.status).toBe('error');
		const [entry] = jobsInError(execution)!;
		expect(entry).toMatchObject({ itemIndex: 0, jobId: expect.any(String), error: 'deadline_exceeded' });

		// At once, with the original workflow: the job is still running, the 2 s Job Timeout ends
		// the wait again — but on the same job, and the error says so.
		const tooSoon = await retried(workflowId, execution.id, false);
		expect(tooSoon.status).toBe('error');
		expect(jobsInError(tooSoon)).toEqual([expect.objectContaining({ jobId: entry.jobId, error: 'deadline_exceeded' })]);

		// The user raises the Job Timeout and retries with the current workflow: the deck arrives.
		const workflow = await client.getWorkflow(workflowId);
		const node = workflow.nodes.find((n) => n.name === 'Perceptis')!;
		node.parameters = { ...node.parameters, options: { timeoutSeconds: 60 } };
		await client.updateWorkflow(workflowId, workflow);
		const retry = await retried(workflowId, execution.id, true);
		expect(retry.status).toBe('success');
		const [item] = nodeOutput(retry, 'Perceptis');
		expect(item.json).toMatchObject({ jobId: entry.jobId, status: 'completed', pickedUp: true });
		// The retry downloaded the deck (as n8n binary data), as the first run would have.
		expect(item.binary?.data).toMatchObject({ fileName: expect.stringMatching(/\.pptx$/), mimeType: expect.stringContaining('presentationml') });

		const jobs = await jobsOf();
		expect(jobs.map((job) => job.id)).toEqual([entry.jobId]);
		expect(jobs[0].creditsCharged).toBe(3);
	});

	test('a failed job: the Retry starts one new job, retrying the same failed execution again starts no third', async () => {
		const { workflowId, execution } = await runOnce('retry failed', { prompt: '[sim:fail] Deck' });
		const failedJob = jobsInError(execution)![0].jobId;

		const first = await retried(workflowId, execution.id, false);
		const second = await retried(workflowId, execution.id, false);
		const [firstEntry] = jobsInError(first)!;
		expect(firstEntry).toMatchObject({ status: 'failed', replacedFailedJobs: [failedJob] });
		expect(firstEntry.jobId).not.toBe(failedJob);
		expect(jobsInError(second)![0].jobId).toBe(firstEntry.jobId);
		expect((await jobsOf()).map((job) => job.id)).toEqual([failedJob, firstEntry.jobId]);

		// The retry of the retry is a retry of a new failure: one more job.
		const third = await retried(workflowId, first.id, false);
		expect(jobsInError(third)![0]).toMatchObject({ replacedFailedJobs: [failedJob, firstEntry.jobId] });
		expect(await jobsOf()).toHaveLength(3);
	});

	test('Retry On Fail: the tries after a Job Timeout wait for the same job until it is done', async () => {
		const { execution } = await runOnce(
			'retry on fail',
			{ prompt: `${SLOW} Board deck`, options: { timeoutSeconds: 2 } },
			{ retryOnFail: true, maxTries: 4, waitBetweenTries: 1000 },
		);
		expect(execution.status).toBe('success');
		const [item] = nodeOutput(execution, 'Perceptis');
		const jobs = await jobsOf();
		expect(jobs).toHaveLength(1);
		expect(item.json).toMatchObject({ jobId: jobs[0].id, status: 'completed', pickedUp: true });
	});

	test('a stopped execution names the jobs it left running in n8n\'s log', async () => {
		const path = uniquePath('stop names jobs');
		const workflowId = await client.deploy(
			chain('stop names jobs', [
				webhookTrigger(path, 'Webhook', 'onReceived'),
				perceptis(business, { operation: 'generate', outputType: 'deck', prompt: '[sim:never] Deck' }),
			]),
		);
		await client.runWebhook(path, {});
		const executionId = await client.waitForRunningExecution(workflowId);
		// Stop once the node is waiting on its job (its first status check has reached Perceptis).
		const checking = async () => (await sim.requests()).some((r) => r.method === 'GET' && r.path.startsWith('/api/v1/status/'));
		for (let i = 0; i < 100 && !(await checking()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
		await client.stopExecution(executionId);
		const [execution] = await client.waitForExecutions(workflowId, 1, 30_000);
		expect(execution.status).toBe('canceled');
		const [job] = await jobsOf();
		// n8n saves a stopped execution as it was before the run: no output, no error, no node
		// context of the node it stopped. The node names the jobs it left running in n8n's log.
		let line: string | undefined;
		for (let i = 0; i < 50 && !line; i++) {
			line = n8n.readLog().split('\n').find((l) => l.includes('was stopped') && l.includes(job.id));
			if (!line) await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(line).toContain(`Perceptis: execution ${executionId} was stopped; 1 job(s) keep running on Perceptis: ${job.id} (item 0,`);
		expect(n8n.readLog()).toContain(`Perceptis: started job ${job.id} for item 0 of execution ${executionId}`);
	});

	// Last in the file: it restarts n8n (the stack's instance is gone afterwards).
	test('n8n killed mid-wait, restarted, the crashed execution retried: the job is found again on 2.x', async () => {
		const path = uniquePath('crash');
		const workflowId = await client.deploy(
			chain('crash then retry', [
				webhookTrigger(path, 'Webhook', 'onReceived'),
				perceptis(business, { operation: 'generate', outputType: 'deck', prompt: `${SLOW} Deck` }),
			]),
		);
		await client.runWebhook(path, {});
		const executionId = await client.waitForRunningExecution(workflowId);
		const checking = async () => (await sim.requests()).some((r) => r.method === 'GET' && r.path.startsWith('/api/v1/status/'));
		for (let i = 0; i < 100 && !(await checking()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
		const [job] = await jobsOf();

		const crashed = n8n;
		await crashed.kill('SIGKILL');
		const restarted = await startN8n({ version, userFolder: crashed.userFolder });
		try {
			const again = await N8nClient.ready(restarted.baseUrl);
			const [execution] = await again.waitForExecutions(workflowId, 1);
			expect(String(execution.id)).toBe(executionId);
			expect(execution.status).toBe('crashed');
			const retryId = await again.retryExecution(executionId, false, workflowId);
			const retry = await again.getExecution(retryId);
			const [item] = nodeOutput(retry, 'Perceptis');
			const jobs = await jobsOf();
			if (majorOf(version) >= 2) {
				// n8n saved nothing of the node's run; the retry derives the key of the execution it
				// retries, and Perceptis returns the job that key started.
				expect(retry.status).toBe('success');
				expect(item.json).toMatchObject({ jobId: job.id, status: 'completed' });
				expect(jobs.map((j) => j.id)).toEqual([job.id]);
			} else {
				// n8n 1.x tells a node nothing of the execution it retries: a second job (README: limits).
				expect(jobs).toHaveLength(2);
			}
		} finally {
			await restarted.stop();
		}
	});
});
