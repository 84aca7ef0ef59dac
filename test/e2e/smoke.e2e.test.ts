/**
 * Proves the harness on n8n's built-in nodes only: start, owner, API key, webhook workflow, executions
 * with data, a CLI run on the same database, loopback-only listening.
 */
import {
	acquireE2eLock,
	chain,
	isLoopback,
	listeningAddresses,
	manualTrigger,
	N8nClient,
	parseExecuteOutput,
	respondJson,
	selectedN8nVersion,
	setJson,
	startN8n,
	uniquePath,
	webhookTrigger,
	type N8nInstance,
} from './harness';

const version = selectedN8nVersion();

describe(`harness smoke on n8n ${version}`, () => {
	let release: () => void = () => undefined;
	let n8n: N8nInstance | undefined;
	let client: N8nClient;

	beforeAll(async () => {
		release = await acquireE2eLock();
		n8n = await startN8n({ version, loadPackage: false });
		client = await N8nClient.ready(n8n.baseUrl);
		// eslint-disable-next-line no-console
		console.log(`n8n ${version} ready in ${n8n.startMs} ms at ${n8n.baseUrl} (log ${n8n.logPath})`);
	});

	afterAll(async () => {
		await n8n?.stop();
		release();
	});

	test('n8n and its task runners listen on loopback only', () => {
		const addresses = listeningAddresses(n8n!.pid);
		expect(addresses).toContain(`127.0.0.1:${n8n!.port}`);
		expect(addresses.filter((a) => !isLoopback(a))).toEqual([]);
	});

	test('a webhook workflow answers through Respond to Webhook and its execution is saved with data', async () => {
		const path = uniquePath('smoke');
		const workflowId = await client.deploy(
			chain('smoke: webhook → respond', [
				webhookTrigger(path),
				respondJson('={{ { "echo": $json.body.prompt, "n": $json.body.n + 1 } }}'),
			]),
		);
		const response = await client.runWebhook(path, { prompt: 'hello', n: 41 });
		expect(response.status).toBe(200);
		expect(response.data).toEqual({ echo: 'hello', n: 42 });

		const [execution] = await client.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		expect(Object.keys(execution.data!.resultData.runData).sort()).toEqual(['Respond', 'Webhook']);
	});

	test('the CLI runs a manual workflow on the same database while the server runs', async () => {
		const { id } = await client.createWorkflow(
			chain('smoke: manual', [manualTrigger(), setJson('={{ { "items": [1, 2, 3], "sum": 1 + 2 + 3 } }}')]),
		);
		const result = await n8n!.runCli(['execute', `--id=${id}`, '--rawOutput']);
		expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
		const output = parseExecuteOutput(result.stdout);
		expect(output.status).toBe('success');
		const items = output.data.resultData.runData.Data[0].data.main[0];
		expect(items[0].json).toEqual({ items: [1, 2, 3], sum: 6 });
	});
});
