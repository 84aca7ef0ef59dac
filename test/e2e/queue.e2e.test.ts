/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Queue mode for real: PostgreSQL, Redis, one n8n main and two `n8n worker` processes (n8n's
 * default binary data mode for queue mode), the package installed on each. Shows that executions
 * run on the workers and none is lost or doubled, what n8n does with an execution whose worker is
 * SIGKILLed mid-wait (and that the Perceptis jobs are not started twice either way), and that Stop
 * on the main ends a wait running on a worker. Runs on 2.41.1 and 1.123.81: they differ after a
 * SIGKILL (2.x fails the execution, 1.x runs it again on the other worker), and each is asserted.
 */
import {
	chain,
	FAST_SIMULATOR,
	isLoopback,
	listeningAddresses,
	majorOf,
	nodeOutput,
	perceptis,
	PPTX_MIME,
	pptxResponse,
	respondBinary,
	selectedN8nVersion,
	setJson,
	splitOut,
	startQueueStack,
	uniquePath,
	webhookTrigger,
	type Execution,
	type N8nClient,
	type QueueStack,
	type SimulatorProcess,
} from './harness';

const version = selectedN8nVersion();
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * n8n's worker lock settings (QUEUE_WORKER_*, in ms), lowered so that a dead worker is noticed in
 * seconds instead of minutes (n8n's defaults: lock 60 s, renewed every 10 s, stalled check every
 * 30 s). Every n8n process of the stack gets them.
 */
const QUEUE_ENV = {
	QUEUE_WORKER_LOCK_DURATION: '8000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
	QUEUE_WORKER_STALLED_INTERVAL: '4000',
};

interface SimJob {
	id: string;
	prompt: string;
	outputType: string;
	variantCount: number;
	slideCount: number;
	idempotencyKey: string | null;
	status: string;
	createdAt: number;
	completedAt: number | null;
	pollTimes: number[];
}

const isGenerate = (r: { method: string; path: string }) => r.method === 'POST' && r.path.startsWith('/api/v1/generate');

describe(`queue mode: n8n ${version}, Postgres, Redis, a main and two workers`, () => {
	let stack: QueueStack | undefined;
	let sim: SimulatorProcess;
	let client: N8nClient;
	const suiteStarted = Date.now();

	const jobs = async () => (await sim.jobs()) as SimJob[];
	// No job checked twice within a second, whichever worker or retry checked it (the simulator measures).
	const checkedASecondApart = async () => {
		expect((await sim.checkGaps()).minCheckGapMs ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(1000);
	};
	afterEach(checkedASecondApart);
	const freshSimulator = async () => {
		await checkedASecondApart();
		await sim.reset();
		await sim.configure(FAST_SIMULATOR.config);
	};
	const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
		const deadline = Date.now() + timeoutMs;
		while (!(await check())) {
			if (Date.now() > deadline) throw new Error(`not after ${timeoutMs} ms: ${what}`);
			await sleep(100);
		}
	};

	beforeAll(async () => {
		stack = await startQueueStack(version, { env: QUEUE_ENV });
		({ sim, client } = stack);
		const t = stack.timings;
		// eslint-disable-next-line no-console
		console.log(
			`queue stack (n8n ${version}) up in ${seconds(t.totalMs)}: Postgres + Redis ${seconds(t.storesMs)}, ` +
				`main ${seconds(t.mainMs)}, 2 workers ${seconds(t.workersMs)}; Postgres runs as ${stack.postgres.osUser}`,
		);
	});

	afterAll(async () => {
		await stack?.stop();
		// eslint-disable-next-line no-console
		console.log(`queue-mode suite (n8n ${version}): ${seconds(Date.now() - suiteStarted)} in all`);
	});

	test('every process of the stack listens on 127.0.0.1 only', () => {
		const { main, workers, postgres, redis } = stack!;
		for (const [name, pid] of [
			['main', main.pid],
			...workers.map((w, i) => [`worker ${i}`, w.pid] as const),
			['postgres', postgres.pid],
			['redis', redis.pid],
		] as const) {
			const addresses = listeningAddresses(pid);
			expect({ name, addresses }).toEqual({ name, addresses: expect.arrayContaining([expect.any(String)]) });
			expect({ name, outside: addresses.filter((a) => !isLoopback(a)) }).toEqual({ name, outside: [] });
		}
		// A worker's only HTTP server is its health check, on its own port.
		expect(listeningAddresses(workers[0].pid)).toContain(`127.0.0.1:${workers[0].port}`);
	});

	test('30 webhooks at once: each answers with its .pptx, runs on a worker, starts exactly one job', async () => {
		await freshSimulator();
		const path = uniquePath('queue');
		const workflowId = await client.deploy(
			chain('queue: webhook → perceptis → respond with file', [
				webhookTrigger(path),
				perceptis(stack!.business, {
					operation: 'generate',
					outputType: '={{ $json.body.outputType }}',
					prompt: '={{ $json.body.prompt }}',
					options: { variantCount: '={{ $json.body.variantCount }}' },
				}),
				respondBinary('data'),
			]),
		);
		const calls = Array.from({ length: 30 }, (_v, i) =>
			i % 2 === 0
				? { outputType: 'deck', prompt: `Queue deck ${i} [sim:slides=${2 + (i % 5)}]`, variantCount: 1, slides: 2 + (i % 5) }
				: { outputType: 'single_slide', prompt: `Queue slide ${i}`, variantCount: 1 + (i % 4), slides: 1 },
		);
		const started = Date.now();
		const responses = await Promise.all(
			calls.map(
				async ({ outputType, prompt, variantCount }) =>
					await client.runWebhook(path, { outputType, prompt, variantCount }, { responseType: 'arraybuffer' }),
			),
		);
		const tookMs = Date.now() - started;

		// Every caller got its own file: a deck with the slides it asked for, or a single slide.
		expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
		expect(responses.map((r) => pptxResponse(r).slides)).toEqual(calls.map((c) => c.slides));

		// 30 executions, all successful, each with the files of its job (one per variant).
		const executions = await client.waitForExecutions(workflowId, 30);
		expect(executions).toHaveLength(30);
		expect(executions.map((e) => e.status)).toEqual(Array(30).fill('success'));
		const outputs = executions.map((e) => {
			const items = nodeOutput(e, 'Perceptis');
			expect(items).toHaveLength(1);
			return items[0];
		});
		for (const item of outputs) {
			expect(item.json.status).toBe('completed');
			for (const file of Object.values(item.binary ?? {})) {
				expect(file.mimeType).toBe(PPTX_MIME);
				// n8n's own default binary mode for queue mode (not set by the harness): the database on
				// 2.x; on 1.x the file travels inside the execution data, base64.
				if (majorOf(version) >= 2) expect(file.id).toMatch(/^database:/);
				else expect({ id: file.id, start: file.data?.slice(0, 4) }).toEqual({ id: undefined, start: 'UEsD' });
			}
		}

		// The simulator: exactly one job per call, and each execution reports its own.
		const simJobs = await jobs();
		expect(simJobs).toHaveLength(30);
		expect(simJobs.map((j) => j.prompt).sort()).toEqual(calls.map((c) => c.prompt).sort());
		for (const job of simJobs) {
			const call = calls.find((c) => c.prompt === job.prompt)!;
			expect({ prompt: job.prompt, outputType: job.outputType, variants: job.variantCount }).toEqual({
				prompt: call.prompt,
				outputType: call.outputType,
				variants: call.variantCount,
			});
			expect(job.idempotencyKey).toMatch(/^n8n-[0-9a-f]{48}$/);
		}
		expect(new Set(simJobs.map((j) => j.idempotencyKey)).size).toBe(30);
		expect(outputs.map((item) => item.json.jobId).sort()).toEqual(simJobs.map((j) => j.id).sort());
		for (const item of outputs) {
			const job = simJobs.find((j) => j.id === item.json.jobId)!;
			expect(Object.keys(item.binary ?? {})).toHaveLength(job.outputType === 'deck' ? 1 : job.variantCount);
		}
		const generates = (await sim.requests()).filter(isGenerate);
		expect(generates.filter((r) => r.status >= 200 && r.status < 300)).toHaveLength(30);

		// Where they ran: each execution was started by exactly one worker, none by the main (which
		// only enqueued them), and both workers took a share.
		const mainLog = stack!.main.readLog();
		expect(mainLog).not.toMatch(/Worker started execution/);
		await waitUntil(
			'every worker logged its executions as finished',
			async () => executions.every((e) => stack!.workerEvents(String(e.id)).some((ev) => ev.event === 'finished')),
			10_000,
		).catch(() => undefined); // the assertions below say which one is missing
		const byWorker = executions.map((e) => {
			expect(mainLog).toMatch(new RegExp(`Enqueued execution ${e.id} \\(job `));
			const events = stack!.workerEvents(String(e.id)).map(({ event, slot }) => `${event} on worker ${slot}`);
			// Started once, and finished by the same worker.
			expect(events).toEqual([expect.stringMatching(/^started on worker \d$/), events[0]?.replace('started', 'finished')]);
			return Number(events[0]?.slice(-1));
		});
		const share = [0, 1].map((slot) => byWorker.filter((s) => s === slot).length);
		expect(share.every((n) => n > 0)).toBe(true);
		// eslint-disable-next-line no-console
		console.log(`30 webhooks answered in ${seconds(tookMs)}; executions per worker: ${share.join(' + ')}`);
	});

	test('SIGKILL of the worker running a wait: what n8n does, and no job is started twice', async () => {
		await freshSimulator();
		const tag = uniquePath('kill');
		// 30 s jobs (6000 simulated seconds at the fast time scale): still running when the worker dies.
		const prompts = [`Kill deck A ${tag} [sim:seconds=6000]`, `Kill deck B ${tag} [sim:seconds=6000]`];
		const path = uniquePath('kill');
		const workflowId = await client.deploy(
			chain('queue: a worker dies mid-wait', [
				webhookTrigger(path, 'Webhook', 'lastNode'),
				setJson(`={{ ${JSON.stringify({ prompts })} }}`),
				splitOut('prompts'),
				perceptis(stack!.business, { operation: 'generate', outputType: 'deck', prompt: '={{ $json.prompts }}' }),
			]),
		);
		let answer: { status: number; body: string } | Error | undefined;
		void client.runWebhook(path, {}).then(
			(r) => (answer = { status: r.status, body: JSON.stringify(r.data) }),
			(e: Error) => (answer = e),
		);
		const executionId = await client.waitForRunningExecution(workflowId);
		// Both jobs started and the node is in its wait (status checks going on).
		await waitUntil('both jobs started and checked', async () => {
			const js = await jobs();
			return js.length === 2 && js.every((j) => j.pollTimes.length > 0);
		});
		const [slot, ...others] = stack!.workersThatStarted(executionId);
		expect(others).toEqual([]);
		expect(slot).toBeDefined();
		const jobsBefore = await jobs();

		const killedWorker = stack!.workers[slot];
		const killedAt = Date.now();
		await stack!.killWorker(slot, 'SIGKILL');
		const [execution] = await client.waitForExecutions(workflowId, 1, 180_000);
		const endedAfterMs = Date.now() - killedAt;
		await waitUntil('the webhook caller got its answer', async () => answer !== undefined, 30_000);
		const full = await client.getExecution(execution.id);
		const starts = stack!.workerEvents(executionId).filter((e) => e.event === 'started');
		const rerun = starts.find((e) => e.slot !== slot);
		const generates = (await sim.requests()).filter(isGenerate);
		const answerText = answer instanceof Error ? answer.message : `HTTP ${answer!.status} ${answer!.body.slice(0, 80)}…`;
		// eslint-disable-next-line no-console
		console.log(
			`SIGKILL of worker ${slot} during the wait (n8n ${version}): execution ${executionId} ended "${full.status}" ` +
				`${seconds(endedAfterMs)} after the kill; ` +
				(rerun ? `re-run by worker ${rerun.slot} ${seconds(rerun.at - killedAt)} after the kill` : 'not re-run') +
				`; ${generates.length} start requests for 2 jobs; error: ${full.data?.resultData.error?.message ?? '(none)'}; ` +
				`the webhook caller got ${answerText}`,
		);

		// Either way: the two jobs the dead worker started, and no other.
		const jobsAfter = await jobs();
		expect(jobsAfter.map((j) => j.id).sort()).toEqual(jobsBefore.map((j) => j.id).sort());
		expect(jobsAfter.map((j) => j.prompt).sort()).toEqual([...prompts].sort());
		const keys = jobsBefore.map((j) => j.idempotencyKey as string).sort();
		const sentKeys = generates.map((r) => r.headers['idempotency-key']);
		expect([...new Set(sentKeys)].sort()).toEqual(keys);

		// Whatever n8n keeps of the execution, the dead worker's log names each job it started.
		for (const job of jobsBefore) {
			expect(killedWorker.readLog()).toContain(`Perceptis: started job ${job.id} for item `);
		}

		if (majorOf(version) >= 2) {
			// n8n 2.x runs Bull with maxStalledCount 0 (QUEUE_WORKER_MAX_STALLED_COUNT was removed in
			// 2.0): a job whose worker vanished is failed once its lock expires, never handed to another
			// worker. The main then waits out a 30 s grace window (in case the execution finished after
			// all) and records the execution as failed; the webhook caller gets a 500.
			expect(starts.map((e) => e.slot)).toEqual([slot]);
			expect(sentKeys.sort()).toEqual(keys);
			expect(full.status).toBe('error');
			expect(full.finished).toBe(false);
			expect(full.data?.resultData.error?.message).toMatch(/failed to be processed too many times and will no longer retry/);
			expect(answer).toMatchObject({ status: 500, body: expect.stringContaining('Error in workflow') });
			// Lock expiry (8 s) + up to two stalled checks (4 s each) + the 30 s grace window.
			expect(endedAfterMs).toBeGreaterThan(30_000);
			expect(endedAfterMs).toBeLessThan(90_000);
			// The jobs run on at Perceptis with nobody waiting for them.
			expect(jobsAfter.every((j) => j.pollTimes.every((t) => t < killedAt + 1_000))).toBe(true);
		} else {
			// n8n 1.x: QUEUE_WORKER_MAX_STALLED_COUNT defaults to 1, so once the dead worker's lock
			// expires the other worker runs the same execution (same id) again from the start. The node
			// derives the same Idempotency-Keys, the API replays the two jobs, the re-run waits for them
			// and the execution succeeds: each key was sent twice, no third job exists.
			expect(rerun).toBeDefined();
			expect(starts).toHaveLength(2);
			expect(rerun!.at - killedAt).toBeLessThan(25_000);
			expect(sentKeys.sort()).toEqual([...keys, ...keys].sort());
			expect(full.status).toBe('success');
			const items = nodeOutput(full, 'Perceptis');
			expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed']);
			expect(items.map((item) => item.json.jobId).sort()).toEqual(jobsBefore.map((j) => j.id).sort());
			expect(answer).toMatchObject({ status: 200 });
		}

		// The slot gets a fresh worker (same user folder), as a supervisor would restart it.
		const restarted = await stack!.startWorker(slot);
		expect(restarted.isRunning()).toBe(true);
	});

	test('Stop on the main ends a wait running on a worker within a poll interval; the execution is canceled', async () => {
		await freshSimulator();
		const path = uniquePath('stop');
		const prompt = `Stop me ${path} [sim:seconds=6000]`;
		const workflowId = await client.deploy(
			chain('queue: stop a wait on a worker', [
				webhookTrigger(path, 'Webhook', 'lastNode'),
				perceptis(stack!.business, { operation: 'generate', outputType: 'deck', prompt: `=${prompt}` }),
			]),
		);
		void client.runWebhook(path, {}).catch(() => undefined);
		const executionId = await client.waitForRunningExecution(workflowId);
		await waitUntil('the job is checked at least twice', async () => {
			const [job] = await jobs();
			return (job?.pollTimes.length ?? 0) >= 2;
		});
		const slots = stack!.workersThatStarted(executionId);
		expect(slots).toHaveLength(1);
		const [before] = await jobs();
		const gaps = before.pollTimes.slice(1).map((t, i) => t - before.pollTimes[i]);
		const pollIntervalMs = Math.max(...gaps);

		const stoppedAt = Date.now();
		await client.stopExecution(executionId);
		let execution: Execution | undefined;
		await waitUntil(
			'the execution ended',
			async () => {
				execution = await client.getExecution(executionId, false);
				return !['running', 'new'].includes(execution.status);
			},
			30_000,
		);
		const endedAfterMs = Date.now() - stoppedAt;
		// The worker that ran it logs the end of the execution ("Worker finished" on 1.x, "Worker
		// errored … cancelled manually" on 2.x).
		await waitUntil('the worker logged the end', async () => stack!.workerEvents(executionId).some((e) => e.event !== 'started'), 10_000);
		const workerEnd = stack!.workerEvents(executionId).find((e) => e.event !== 'started')!;
		// Let a check that was in flight land, then look: the node on the worker stopped checking.
		await sleep(Math.max(3_000, 2 * pollIntervalMs));
		const [after] = await jobs();
		const lastCheckAfterStopMs = Math.max(...after.pollTimes) - stoppedAt;
		// eslint-disable-next-line no-console
		console.log(
			`Stop from the main (n8n ${version}): execution ${executionId} (worker ${slots[0]}) "${execution!.status}" after ${seconds(endedAfterMs)}; ` +
				`the worker logged "${workerEnd.event}" ${seconds(workerEnd.at - stoppedAt)} after the stop; ` +
				`checks every ${seconds(pollIntervalMs)}; last check ${seconds(lastCheckAfterStopMs)} after the stop`,
		);
		expect(execution!.status).toBe('canceled');
		expect(endedAfterMs).toBeLessThan(pollIntervalMs + 2_000);
		expect(workerEnd.slot).toBe(slots[0]);
		expect(workerEnd.at - stoppedAt).toBeLessThan(pollIntervalMs + 1_000);
		expect(lastCheckAfterStopMs).toBeLessThan(pollIntervalMs + 1_000);
		expect(after.status).not.toBe('completed');
	});

	test("the executions list's Retry and Retry On Fail pick up the job on the workers too: one job", async () => {
		await freshSimulator();
		// 6 s jobs against a 2 s Job Timeout: the first run fails with its job still running.
		const prompt = `Retry me ${uniquePath('retry')} [sim:seconds=1200]`;
		const path = uniquePath('retry');
		const workflowId = await client.deploy(
			chain('queue: retries', [
				webhookTrigger(path, 'Webhook', 'onReceived'),
				perceptis(stack!.business, { operation: 'generate', outputType: 'deck', prompt: `=${prompt}`, options: { timeoutSeconds: 2 } }),
			]),
		);
		await client.runWebhook(path, {});
		const [failed] = await client.waitForExecutions(workflowId, 1);
		expect(failed.status).toBe('error');
		const [job] = await jobs();
		// Wait for the job to end, then retry from the list: a worker picks the job up and downloads it.
		await waitUntil('the job completed', async () => (await jobs())[0].status === 'completed', 30_000);
		const retryId = await client.retryExecution(failed.id, false, workflowId);
		const retry = await client.getExecution(retryId);
		expect(retry.status).toBe('success');
		expect(nodeOutput(retry, 'Perceptis')[0].json).toMatchObject({ jobId: job.id, status: 'completed', pickedUp: true });
		expect(stack!.workersThatStarted(retryId)).toHaveLength(1);
		expect((await jobs()).map((j) => j.id)).toEqual([job.id]);

		// Retry On Fail on a worker: the second try waits for the first try's job.
		await freshSimulator();
		const onFailPath = uniquePath('retry-on-fail');
		const onFailWorkflow = await client.deploy(
			chain('queue: retry on fail', [
				webhookTrigger(onFailPath, 'Webhook', 'onReceived'),
				perceptis(
					stack!.business,
					{ operation: 'generate', outputType: 'deck', prompt: `=${prompt}`, options: { timeoutSeconds: 2 } },
					'Perceptis',
					{ retryOnFail: true, maxTries: 4, waitBetweenTries: 1000 },
				),
			]),
		);
		await client.runWebhook(onFailPath, {});
		const [execution] = await client.waitForExecutions(onFailWorkflow, 1);
		expect(execution.status).toBe('success');
		const [onlyJob, ...more] = await jobs();
		expect(more).toEqual([]);
		expect(nodeOutput(execution, 'Perceptis')[0].json).toMatchObject({ jobId: onlyJob.id, status: 'completed', pickedUp: true });
	});
});
