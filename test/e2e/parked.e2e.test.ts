/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The parked loop of examples/batch-decks-queue-mode.json in a real n8n: Webhook → Generate (no
 * wait) → Accepted (202) → Wait {{ $json.nextCheckInSeconds }} s → Check Status → Completed →
 * Download (Still Running → back to the Wait). The Wait is 65 s (the parking minimum): n8n parks
 * the execution in the database (status "waiting") and resumes it from there.
 *
 * Two n8n at once, so their 65 s parks overlap: one process on SQLite (regular mode), and queue
 * mode (PostgreSQL, Redis, a main and two workers). In queue mode the worker holds no slot while
 * the execution is parked (its job ended: Bull's active list is empty, its log says it finished),
 * and a worker killed while the execution is parked loses nothing: the resume runs on the other
 * worker, with the same one job. The simulator's `statusRetryAfterSeconds: 'remaining'` tells the
 * node how long each job still needs, so the next check is planned from it (then raised to the
 * 65 s minimum) rather than from the published durations of a deck.
 */
import {
	assertPptx,
	deployable,
	N8nClient,
	nodeNamed,
	PERCEPTIS_CREDENTIAL_TYPE,
	PPTX_MIME,
	readExample,
	selectedN8nVersion,
	startN8n,
	startQueueStack,
	type CredentialRef,
	type Execution,
	type N8nInstance,
	type QueueStack,
} from './harness';

const version = selectedN8nVersion();
const EXAMPLE = 'batch-decks-queue-mode.json';
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
/** 4000 simulated seconds × 0.005 = 20 s: still running at the first check, done when the 65 s park ends. */
const PROMPT = 'Quarterly update for the board [sim:seconds=4000] [sim:slides=3]';
const SIMULATOR = { timeScale: 0.005, config: { statusRetryAfterSeconds: 'remaining' } };

interface SimJob {
	id: string;
	keyPlan: string;
	status: string;
}

/** One run of the example: the webhook's answer and its execution. */
interface Run {
	workflowId: string;
	answer: { status: number; data: { accepted?: boolean; jobId?: string; status?: string } };
	/** The execution as the public API listed it while it was parked. */
	parked: Execution & { waitTill?: string | null };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error(`not after ${timeoutMs} ms: ${what}`);
		await sleep(250);
	}
}

/**
 * Deploys the example with `credential`, calls its webhook and waits until its execution is parked.
 * `where` names the n8n setup, and `logs` gives the logs of its processes (read only if it fails).
 */
async function startRun(where: string, client: N8nClient, credential: CredentialRef, logs: () => Array<[string, string]>): Promise<Run> {
	const example = readExample(EXAMPLE);
	const workflowId = await client.deploy(deployable(example, credential));
	const answer = await client.runWebhook(String(nodeNamed(example, 'Webhook').parameters.path), { prompt: PROMPT });
	// The editor's list (REST): n8n 1.x's public API lists no waiting executions.
	const parked = await waitFor(
		'the execution parked (status waiting)',
		async () => {
			const list = await client.rest<{ results?: Array<Run['parked']> }>('GET', '/executions', undefined, {
				params: { filter: JSON.stringify({ workflowId, status: ['waiting'] }) },
			});
			return (list.results ?? []).find((execution) => execution.status === 'waiting');
		},
		120_000,
	).catch(async (error: Error) => {
		// Say where the execution was instead: never started, still running, failed (and where).
		const answered = JSON.stringify({ status: answer.status, data: answer.data });
		throw new Error(
			`${where}: ${error.message}; the webhook answered ${answered}; ${await describeExecutions(client, workflowId)}; ${notableLogLines(logs())}`,
		);
	});
	return { workflowId, answer: answer as Run['answer'], parked };
}

/** The workflow's executions in any status, with the node each stopped at and its error. */
async function describeExecutions(client: N8nClient, workflowId: string): Promise<string> {
	const list = await client.rest<{ results?: Execution[] }>('GET', '/executions', undefined, {
		params: { filter: JSON.stringify({ workflowId }) },
	});
	const lines = await Promise.all(
		(list.results ?? []).map(async (listed) => {
			const result = (await client.getExecution(listed.id).catch(() => undefined))?.data?.resultData;
			const where = `${result?.lastNodeExecuted ?? '?'}${result?.error ? `: ${result.error.message}` : ''}`;
			return `#${listed.id} ${listed.status} started ${listed.startedAt} stopped ${listed.stoppedAt ?? '-'} at ${where}`;
		}),
	);
	return `its executions: ${lines.length ? lines.join(' | ') : 'none'}`;
}

/** The last lines of each log that speak of an execution, a worker, a warning or an error. */
function notableLogLines(logs: Array<[string, string]>): string {
	return logs
		.map(([name, log]) => {
			const lines = log.split('\n').filter((line) => /error|warn|worker|execution|wait/i.test(line));
			return `${name} log: ${lines.slice(-12).map((line) => line.slice(0, 240)).join(' ⏎ ') || '(nothing notable)'}`;
		})
		.join('; ');
}

const runsOf = (execution: Execution, node: string) => execution.data?.resultData.runData[node] ?? [];

describe(`the parked loop (${EXAMPLE}) in n8n ${version}`, () => {
	let stack: QueueStack | undefined;
	let single: N8nInstance | undefined;
	let singleClient: N8nClient;
	let regular: Run;
	let queued: Run;
	/** The worker slot that ran the queued execution up to its park. */
	let firstSlot: number;

	beforeAll(async () => {
		// The queue stack takes the e2e lock; the SQLite n8n runs beside it within this file.
		stack = await startQueueStack(version, { simulator: SIMULATOR });
		single = await startN8n({ version });
		singleClient = await N8nClient.ready(single.baseUrl);
		const enterprise = await singleClient.createCredential({
			name: 'Perceptis API',
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey: stack.sim.keys.enterprise, baseUrl: stack.sim.origin },
		});
		[regular, queued] = await Promise.all([
			startRun('regular mode', singleClient, enterprise, () => [['n8n', single!.readLog()]]),
			startRun('queue mode', stack.client, stack.business, () => [
				['main', stack!.main.readLog()],
				...stack!.workers.map((worker, i): [string, string] => [`worker ${i}`, worker.readLog()]),
			]),
		]);
		const executionId = String(queued.parked.id);
		firstSlot = await waitFor(
			'the worker that ran the execution logged that its job finished',
			async () => stack!.workerEvents(executionId).find((event) => event.event === 'finished')?.slot,
			30_000,
		);
	}, 240_000);

	afterAll(async () => {
		await single?.stop();
		await stack?.stop();
	});

	test('the webhook caller is answered at once: 202, accepted, with the job id', () => {
		for (const run of [regular, queued]) {
			expect(run.answer.status).toBe(202);
			expect(run.answer.data).toMatchObject({ accepted: true, jobId: expect.stringMatching(/^job_/), status: expect.any(String) });
		}
	});

	test('between checks the execution is parked in the database until the next check, at least 65 s ahead', () => {
		for (const run of [regular, queued]) {
			expect(run.parked.status).toBe('waiting');
			const waitTill = Date.parse(String(run.parked.waitTill ?? ''));
			expect(waitTill - Date.parse(run.parked.startedAt)).toBeGreaterThanOrEqual(60_000);
		}
	});

	test('in queue mode the parked execution holds no worker slot: no Bull job is active, its worker finished it', async () => {
		expect((await stack!.redis.command('LLEN bull:jobs:active')).trim()).toBe(':0');
		const events = stack!.workerEvents(String(queued.parked.id));
		expect(events.filter((event) => event.event === 'started')).toHaveLength(1);
		expect(events.filter((event) => event.event === 'finished')).toHaveLength(1);
	});

	test('a worker killed while the execution is parked loses nothing: the other worker resumes it, one job, the file', async () => {
		// Killed while parked, well before the resume is due (the resume is the other worker's to
		// take): killed at the moment of the resume, the worker could be running it (2.41.1 then
		// fails that execution, as for any worker killed mid-run; the queue suite covers that).
		expect(Date.parse(String(queued.parked.waitTill)) - Date.now()).toBeGreaterThan(15_000);
		await stack!.killWorker(firstSlot, 'SIGKILL');
		const [execution] = await stack!.client.waitForExecutions(queued.workflowId, 1, 180_000);
		expect(execution.status).toBe('success');
		const resumedOn = stack!.workersThatStarted(String(queued.parked.id));
		expect(resumedOn).toContain(1 - firstSlot);
		const [downloaded] = runsOf(execution, 'Download')[0]?.data?.main[0] ?? [];
		expect(downloaded?.json).toMatchObject({ jobId: queued.answer.data.jobId, status: 'completed' });
		expect(downloaded?.binary?.data).toMatchObject({ mimeType: PPTX_MIME });
		expect(assertPptx(await stack!.client.binaryBytes(downloaded!.binary!.data)).slides).toBe(3);
		const jobs = ((await stack!.sim.jobs()) as SimJob[]).filter((job) => job.keyPlan === 'business');
		expect(jobs.map((job) => job.id)).toEqual([queued.answer.data.jobId]);
	}, 200_000);

	test('the regular-mode run resumes and ends with the deck: parked, then one check finds it done, one job', async () => {
		const [execution] = await singleClient.waitForExecutions(regular.workflowId, 1, 180_000);
		expect(execution.status).toBe('success');
		expect(runsOf(execution, 'Wait').length).toBeGreaterThanOrEqual(1);
		expect(runsOf(execution, 'Check status').length).toBeGreaterThanOrEqual(1);
		const [downloaded] = runsOf(execution, 'Download')[0]?.data?.main[0] ?? [];
		expect(downloaded?.json).toMatchObject({ jobId: regular.answer.data.jobId, status: 'completed' });
		const file = downloaded?.binary?.data;
		expect(file).toMatchObject({ mimeType: PPTX_MIME });
		expect(assertPptx(await singleClient.binaryBytes(file!)).slides).toBe(3);
		const jobs = ((await stack!.sim.jobs()) as SimJob[]).filter((job) => job.keyPlan === 'enterprise');
		expect(jobs.map((job) => job.id)).toEqual([regular.answer.data.jobId]);
	}, 200_000);

	test('no job was checked twice within a second; the first check came after the park, not seconds after the start', async () => {
		const gaps = await stack!.sim.checkGaps();
		expect(gaps.jobs).toHaveLength(2);
		expect(gaps.minCheckGapMs ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(1000);
		expect(gaps.minFirstCheckGapMs).toBeGreaterThanOrEqual(60_000);
	});
});
