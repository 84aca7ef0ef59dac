/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Batches at scale in a real n8n: Stop ends a download in progress promptly (n8n hands its cancel
 * signal only to authenticated requests, so the node passes it to the plain download itself), and
 * the file that was arriving is not reported as a success; a batch starts every job at once.
 */
import {
	chain,
	nodeOutput,
	perceptis,
	selectedN8nVersion,
	setJson,
	splitOut,
	uniquePath,
	webhookTrigger,
	type SimulatorRequest,
	usePerceptisStack,
} from './harness';

const version = selectedN8nVersion();

describe(`batches at scale, in n8n ${version}`, () => {
	const { sim, client, business } = usePerceptisStack(version);

	test('Stop during a download ends the execution promptly; the file is not reported as a success', async () => {
		await sim.reset();
		await sim.configure({ statusRetryAfterSeconds: 1 });
		// Storage holds the download for 60 s: only the Stop can end it sooner.
		await sim.injectFault({ server: 'storage', kind: 'slow', delayMs: 60_000 });
		const path = uniquePath('stop');
		const workflowId = await client.deploy(
			chain('stop during download', [
				webhookTrigger(path, 'Webhook', 'lastNode'),
				perceptis(business, { operation: 'generate', outputType: 'deck', prompt: 'A deck' }),
			]),
		);
		void client.runWebhook(path, {}).catch(() => undefined);
		const executionId = await client.waitForRunningExecution(workflowId);
		for (let i = 0; i < 300 && !(await sim.requests()).some((r) => r.server === 'storage'); i++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const stoppedAt = Date.now();
		await client.stopExecution(executionId);
		const [execution] = await client.waitForExecutions(workflowId, 1, 30_000);
		expect(Date.now() - stoppedAt).toBeLessThan(10_000);
		expect(execution.status).not.toBe('success');
		const items = nodeOutput(execution, 'Perceptis');
		expect(items.filter((item) => item.binary?.data)).toEqual([]);
		// n8n marks the execution stopped at once either way; what shows that the node itself let go
		// is the download: n8n hung up on the storage host within seconds, not when it answered.
		let download: SimulatorRequest | undefined;
		for (let i = 0; i < 100 && !download?.clientClosedAt; i++) {
			download = (await sim.requests()).find((r) => r.server === 'storage');
			if (!download?.clientClosedAt) await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(download?.clientClosedAt).toBeDefined();
		expect(download!.clientClosedAt! - stoppedAt).toBeLessThan(10_000);
	});

	test('a batch of 20 starts every job before the first one finishes', async () => {
		await sim.reset();
		await sim.configure({ statusRetryAfterSeconds: 1, durationsMs: { deck: 1_200_000 } }); // 6 s each
		const path = uniquePath('batch');
		const prompts = Array.from({ length: 20 }, (_v, i) => `Deck ${i}`);
		const workflowId = await client.deploy(
			chain('batch of 20', [
				webhookTrigger(path, 'Webhook', 'lastNode'),
				setJson(`={{ ${JSON.stringify({ prompts })} }}`),
				splitOut('prompts'),
				perceptis(business, { operation: 'generate', outputType: 'deck', prompt: '={{ $json.prompts }}' }),
			]),
		);
		await client.runWebhook(path, {});
		const [execution] = await client.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'Perceptis').map((item) => item.json.status)).toEqual(Array(20).fill('completed'));
		const jobs = (await sim.jobs()) as Array<{ createdAt: number; completedAt: number }>;
		expect(jobs).toHaveLength(20);
		expect(Math.max(...jobs.map((job) => job.createdAt))).toBeLessThan(Math.min(...jobs.map((job) => job.completedAt)));
	});
});
