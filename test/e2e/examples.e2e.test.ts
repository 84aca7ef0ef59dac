/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The importable example workflows in examples/ in a real n8n, against the Perceptis simulator.
 *
 * - Every node type and version they use exists in this n8n (run for 2.41.1 and 1.123.81).
 * - Their Perceptis nodes reference the credential by name only: `{"id": null, "name": "Perceptis API"}`.
 *   n8n links such a reference to the one credential of that name and type — the editor when the file
 *   is pasted or imported (checked here in Chromium: paste, save), and the CLI's `import:workflow`.
 *   (A made-up id would not do: n8n 1.x's editor drops a reference whose id it does not know.)
 * - Then each one runs. The runs deploy the files through the public API with the credential id set
 *   explicitly (what the demo does too), so they do not depend on n8n's name matching:
 *   - webhook-prompt-to-deck: activated, called over HTTP → the .pptx comes back (and JSON errors);
 *   - weekly-deck: its schedule trigger is disabled, so it is run through its "Run once now" manual
 *     trigger with `n8n execute --id=… --rawOutput` (the CLI starts at a Manual Trigger). Its
 *     Settings → outputFolder is pointed at a temporary folder, which N8N_RESTRICT_FILE_ACCESS_TO
 *     allows (n8n 2.x only writes inside ~/.n8n-files by default);
 *   - long-job-start-then-wait: run with `n8n execute` through its Manual Trigger;
 *   - agent-deck (Chat Trigger → AI Agent with OpenAI Chat Model, Simple Memory and the Perceptis
 *     tools): its chat made public on a fresh webhook and its model given a credential whose Base
 *     URL is the fake model (test/e2e/harness/fakeModel.ts); two chat messages: Generate, then Get
 *     Status with the job ID from the conversation. The file leaves the OpenAI credential to the user.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	acquireE2eLock,
	deployable,
	EXAMPLES_DIR,
	nodeNamed,
	readExample,
	assertPptx,
	N8nClient,
	OWNER,
	parseExecuteOutput,
	PERCEPTIS_CREDENTIAL_TYPE,
	OPENAI_CREDENTIAL_TYPE,
	selectedN8nVersion,
	startFakeModel,
	startN8n,
	startSimulator,
	type BinaryMeta,
	type FakeModel,
	type CredentialRef,
	type N8nInstance,
	type SimulatorProcess,
	type SimulatorRequest,
	type WorkflowNode,
	PPTX_MIME,
	pptxResponse,
} from './harness';
import { launchBrowser, type BrowserSession } from './browser';

const version = selectedN8nVersion();
const EXAMPLE_FILES = ['webhook-prompt-to-deck.json', 'weekly-deck.json', 'long-job-start-then-wait.json', 'agent-deck.json', 'batch-decks-queue-mode.json'];
/** The Perceptis node and its AI-tool variant (`…perceptisTool`). */
const isPerceptisNode = (node: { type: string }) => node.type.startsWith('n8n-nodes-perceptis.');
/** The credential name the example files reference (with a placeholder id). */
const CREDENTIAL_NAME = 'Perceptis API';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an item's JSON, whatever the workflow made
type RunItem = { json: Record<string, any>; binary?: Record<string, BinaryMeta> };

describe(`example workflows in n8n ${version}`, () => {
	let release: () => void = () => undefined;
	let n8n: N8nInstance | undefined;
	let sim: SimulatorProcess | undefined;
	let client: N8nClient;
	let credential: CredentialRef;
	let outputFolder: string;
	const started = Date.now();

	async function runWithCli(workflowId: string) {
		const result = await n8n!.runCli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs: 180_000 });
		if (result.code !== 0) {
			throw new Error(`n8n execute exited with ${result.code ?? result.signal}:\n${(result.stdout + result.stderr).slice(-3000)}`);
		}
		const output = parseExecuteOutput(result.stdout);
		const items = (node: string): RunItem[] => output.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
		return { output, items };
	}

	beforeAll(async () => {
		release = await acquireE2eLock();
		outputFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-examples-out-'));
		// Decks take 600 s × 0.005 = 3 s; the simulator advises a status check every second.
		sim = await startSimulator({ timeScale: 0.005, config: { statusRetryAfterSeconds: 1 } });
		n8n = await startN8n({ version, env: { N8N_RESTRICT_FILE_ACCESS_TO: outputFolder } });
		client = await N8nClient.ready(n8n.baseUrl);
		credential = await client.createCredential({
			name: CREDENTIAL_NAME,
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey: sim.keys.business, baseUrl: sim.origin },
		});
		// eslint-disable-next-line no-console
		console.log(`n8n ${version} ready in ${n8n.startMs} ms at ${n8n.baseUrl}; log ${n8n.logPath}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
		if (outputFolder) fs.rmSync(outputFolder, { recursive: true, force: true });
		release();
		// eslint-disable-next-line no-console
		console.log(`examples e2e on n8n ${version}: ${Math.round((Date.now() - started) / 1000)} s`);
	});

	describe('the files', () => {
		test.each(EXAMPLE_FILES)('%s uses only node types and versions this n8n has', async (file) => {
			const response = await client.http.get<Array<{ name: string; version: number | number[] }>>('/types/nodes.json', {
				headers: { cookie: client.cookie },
			});
			expect(response.status).toBe(200);
			const known = new Map<string, number[]>();
			for (const type of response.data) {
				const versions = Array.isArray(type.version) ? type.version : [type.version];
				known.set(type.name, [...(known.get(type.name) ?? []), ...versions]);
			}
			const missing = readExample(file)
				.nodes.filter((node) => !known.get(node.type)?.includes(node.typeVersion))
				.map((node) => `${node.name}: ${node.type}@${node.typeVersion} (known: ${known.get(node.type)?.join(', ') ?? 'none'})`);
			expect(missing).toEqual([]);
		});

		test.each(EXAMPLE_FILES)('%s has an id, references the credential "Perceptis API" by name only, and wires every node', (file) => {
			const example = readExample(file);
			// `n8n import:workflow` (2.41) needs an id; the editor's import ignores it.
			expect(example.id).toMatch(/^[A-Za-z0-9]{16}$/);
			const references = example.nodes.filter((n) => n.credentials).map((n) => n.credentials);
			expect(references.length).toBeGreaterThan(0);
			for (const reference of references) {
				expect(reference).toEqual({ perceptisApi: { id: null, name: CREDENTIAL_NAME } });
			}
			const names = new Set(example.nodes.map((n) => n.name));
			// `main` links, and the `ai_*` links of an agent's sub-nodes (model, memory, tools) to the agent.
			const connections = example.connections as Record<string, Record<string, Array<Array<{ node: string; type: string }>>>>;
			const targets = new Set<string>();
			const subNodes = new Set<string>();
			for (const [source, byType] of Object.entries(connections)) {
				expect(names).toContain(source);
				for (const [type, outputs] of Object.entries(byType)) {
					if (type !== 'main') subNodes.add(source);
					for (const output of outputs) for (const link of output) {
						expect(link.type).toBe(type);
						targets.add(link.node);
					}
				}
			}
			for (const target of targets) expect(names).toContain(target);
			// Every node but triggers, sticky notes and sub-nodes has an input.
			const unconnected = example.nodes.filter(
				(n) => !/trigger|webhook|stickyNote/i.test(n.type) && !targets.has(n.name) && !subNodes.has(n.name),
			);
			expect(unconnected.map((n) => n.name)).toEqual([]);
		});

		test('weekly-deck: the schedule is disabled, so importing it starts nothing', () => {
			const example = readExample('weekly-deck.json');
			const schedule = example.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
			expect(schedule).toMatchObject({ disabled: true, parameters: { rule: { interval: [{ field: 'weeks', triggerAtDay: [1], triggerAtHour: 8 }] } } });
			expect(example.active).toBe(false);
		});
	});

	test('imported unchanged with `n8n import:workflow`, the Perceptis nodes are linked to the credential named "Perceptis API"', async () => {
		for (const file of EXAMPLE_FILES) {
			const example = readExample(file);
			const input = path.join(EXAMPLES_DIR, file);
			const result = await n8n!.runCli(['import:workflow', `--input=${input}`]);
			expect({ file, code: result.code, signal: result.signal }).toEqual({ file, code: 0, signal: null });

			// The CLI keeps the file's id (n8n 2.41's CLI refuses a workflow without one).
			const saved = await client.api<{ name: string; nodes: WorkflowNode[]; active: boolean }>('GET', `/workflows/${example.id}`);
			expect(saved).toMatchObject({ name: example.name, active: false });
			const perceptisNodes = saved.nodes.filter(isPerceptisNode);
			expect(perceptisNodes.length).toBeGreaterThan(0);
			for (const node of perceptisNodes) {
				expect({ node: node.name, credentials: node.credentials }).toEqual({
					node: node.name,
					credentials: { perceptisApi: { id: credential.id, name: CREDENTIAL_NAME } },
				});
			}
		}
	});

	describe('pasted into the editor (Chromium) and saved', () => {
		let browser: BrowserSession | undefined;

		beforeAll(async () => {
			browser = await launchBrowser();
			const { page } = browser;
			await page.goto(`${n8n!.baseUrl}/signin`);
			await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
			await page.locator('input[name="password"]').fill(OWNER.password);
			await page.keyboard.press('Enter');
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		});

		afterAll(async () => {
			await browser?.close();
		});

		test.each(EXAMPLE_FILES)('%s: its Perceptis nodes are linked to the credential "Perceptis API"', async (file) => {
			const { page } = browser!;
			const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
			const example = readExample(file);
			await page.goto(`${n8n!.baseUrl}/workflow/new`);
			await page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first().waitFor();
			// The first save that carries the pasted nodes (2.x saves a new workflow by itself, 1.x on Ctrl+S).
			const saved = page.waitForResponse(
				(r) =>
					/\/rest\/workflows(\/[^/?]+)?(\?|$)/.test(r.url()) &&
					['POST', 'PATCH'].includes(r.request().method()) &&
					(r.request().postData() ?? '').includes('n8n-nodes-perceptis.perceptis'),
				{ timeout: 60_000 },
			);
			// What Ctrl+V does with the file's text on the canvas.
			await page.evaluate((content) => {
				const browserWindow = globalThis as unknown as {
					DataTransfer: new () => { setData(type: string, data: string): void };
					ClipboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
					document: { dispatchEvent(event: unknown): boolean };
				};
				const data = new browserWindow.DataTransfer();
				data.setData('text/plain', content);
				browserWindow.document.dispatchEvent(
					new browserWindow.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
				);
			}, text);
			const visibleNodes = example.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
			const deadline = Date.now() + 30_000;
			while ((await page.locator('[data-test-id="canvas-node"]').count()) < visibleNodes && Date.now() < deadline) {
				await page.waitForTimeout(200);
			}
			expect(await page.locator('[data-test-id="canvas-node"]').count()).toBe(visibleNodes);
			await page.locator('[data-test-id="canvas-node"]').first().click();
			await page.keyboard.press('Control+s');
			const response = await saved;
			const body = (await response.json()) as { data: { id: string; nodes: WorkflowNode[] } };
			const references = body.data.nodes.filter(isPerceptisNode).map((n) => n.credentials);
			expect(references).toHaveLength(example.nodes.filter((n) => n.credentials).length);
			for (const reference of references) {
				expect({ file, reference }).toEqual({ file, reference: { perceptisApi: { id: credential.id, name: CREDENTIAL_NAME } } });
			}
		});
	});

	describe('webhook-prompt-to-deck', () => {
		let workflowId: string;
		let webhookPath: string;

		beforeAll(async () => {
			const example = readExample('webhook-prompt-to-deck.json');
			webhookPath = String(nodeNamed(example, 'Webhook').parameters.path);
			workflowId = await client.deploy(deployable(example, credential));
		});

		afterAll(async () => {
			if (workflowId) await client.deactivate(workflowId).catch(() => undefined);
		});

		test('POST {prompt} → the deck as a .pptx download, with its job id in a header', async () => {
			const response = await client.runWebhook(
				webhookPath,
				{ prompt: 'Quarterly update for the board [sim:slides=4]' },
				{ responseType: 'arraybuffer' },
			);
			expect(pptxResponse(response).slides).toBe(4);
			const jobId = String(response.headers['x-perceptis-job-id'] ?? '');
			expect(jobId).not.toBe('');
			expect(response.headers['content-disposition']).toBe(`attachment; filename="perceptis-${jobId}.pptx"`);

			const [execution] = (await client.waitForExecutions(workflowId, 1)).slice(-1);
			expect(execution.status).toBe('success');
			const jobs = (await sim!.jobs()) as Array<{ id: string; status: string; slideCount: number }>;
			expect(jobs.find((j) => j.id === jobId)).toMatchObject({ status: 'completed', slideCount: 4 });
		});

		test('a request without a prompt → 400 with the reason, no job started', async () => {
			const before = (await sim!.requests()).filter((r: SimulatorRequest) => r.method === 'POST').length;
			const response = await client.runWebhook(webhookPath, { topic: 'no prompt here' });
			expect(response.status).toBe(400);
			expect(response.data).toMatchObject({ error: expect.stringMatching(/prompt/i), code: 'invalid_parameter', jobId: null, status: 'not_started' });
			const after = (await sim!.requests()).filter((r: SimulatorRequest) => r.method === 'POST').length;
			expect(after).toBe(before);
		});

		test('a job that fails → 502 with the job id and the reason', async () => {
			const response = await client.runWebhook(webhookPath, { prompt: 'This one fails [sim:fail]' });
			expect(response.status).toBe(502);
			expect(response.data).toMatchObject({ jobId: expect.any(String), status: 'failed', error: expect.any(String) });
			expect(response.data.jobId).not.toBe('');
		});
	});

	describe('weekly-deck', () => {
		let workflowId: string;

		beforeAll(async () => {
			const example = readExample('weekly-deck.json');
			// The one change a user makes: where the file goes (see the workflow's sticky note).
			const settings = nodeNamed(example, 'Settings');
			const assignments = (settings.parameters.assignments as { assignments: Array<{ name: string; value: string }> }).assignments;
			const folder = assignments.find((a) => a.name === 'outputFolder');
			expect(folder?.value).toBe('/home/node/.n8n-files');
			folder!.value = outputFolder;
			({ id: workflowId } = await client.createWorkflow(deployable(example, credential)));
		});

		test('as imported it cannot be activated: its only automatic trigger is disabled', async () => {
			const response = await client.apiRaw('POST', `/workflows/${workflowId}/activate`, {});
			expect(response.status).toBeGreaterThanOrEqual(400);
			const workflow = await client.api<{ active: boolean }>('GET', `/workflows/${workflowId}`);
			expect(workflow.active).toBe(false);
		});

		test('"Run once now" writes weekly-<ISO week>.pptx; a second run in the same week gets the same job (no second charge)', async () => {
			const first = await runWithCli(workflowId);
			expect(first.output.status ?? 'success').toBe('success');
			const week = String(first.items('Settings')[0].json.week);
			expect(week).toMatch(/^\d{4}-W\d{2}$/);
			const [deck] = first.items('Generate weekly deck');
			expect(deck.json).toMatchObject({ status: 'completed', idempotencyKey: `weekly-deck-${workflowId}-${week}` });
			const [written] = first.items('Write .pptx to disk');
			const file = path.join(outputFolder, `weekly-${week}.pptx`);
			expect(written.json.fileName).toBe(file);
			expect(assertPptx(fs.readFileSync(file)).slides).toBeGreaterThan(0);

			const second = await runWithCli(workflowId);
			const [again] = second.items('Generate weekly deck');
			expect(again.json.jobId).toBe(deck.json.jobId);
			assertPptx(fs.readFileSync(file));

			const generates = (await sim!.requests()).filter(
				(r) => r.method === 'POST' && r.path.startsWith('/api/v1/generate') && JSON.stringify(r.body ?? '').includes(week),
			);
			expect(generates).toHaveLength(2);
			const key = `weekly-deck-${workflowId}-${week}`;
			const keys = generates.map((r) => Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'idempotency-key')?.[1]);
			expect(keys).toEqual([key, key]);
			const jobs = (await sim!.jobs()) as Array<{ id: string; idempotencyKey?: string }>;
			expect(jobs.filter((j) => j.idempotencyKey === key).map((j) => j.id)).toEqual([deck.json.jobId]);
		});
	});

	describe('long-job-start-then-wait', () => {
		test('Start deck returns the job at once; Wait for completion and Download end with the .pptx', async () => {
			const { id } = await client.createWorkflow(deployable(readExample('long-job-start-then-wait.json'), credential));
			const { output, items } = await runWithCli(id);
			expect(output.status ?? 'success').toBe('success');

			const [startedJob] = items('Start deck');
			expect(startedJob.json.status).toMatch(/^(pending|processing)$/);
			expect(startedJob.binary).toBeUndefined();
			const jobId = String(startedJob.json.jobId);

			const [waited] = items('Wait for completion');
			expect(waited.json).toMatchObject({ jobId, status: 'completed' });
			expect(waited.binary).toBeUndefined();

			const [downloaded] = items('Download');
			expect(downloaded.json).toMatchObject({ jobId, status: 'completed' });
			const file = downloaded.binary?.data;
			expect(file).toMatchObject({ mimeType: PPTX_MIME, fileName: `perceptis-${jobId}.pptx` });
			assertPptx(await client.binaryBytes(file!));
		});
	});

	describe('agent-deck', () => {
		let fake: FakeModel | undefined;
		let workflowId: string | undefined;
		let chatPath: string;

		beforeAll(async () => {
			fake = await startFakeModel({ script: [] });
			const openAi = await client.createCredential({
				name: 'OpenAI (fake model)',
				type: OPENAI_CREDENTIAL_TYPE,
				data: { apiKey: 'sk-fake-model-key-not-a-secret', url: fake.baseUrl },
			});
			const example = readExample('agent-deck.json');
			// What a test changes: the chat is made public on its own webhook (the file's chat is the
			// editor's private one), and the model gets the fake's credential (the file leaves it to the user).
			const trigger = nodeNamed(example, 'When chat message received');
			expect(trigger.parameters).toEqual({ options: {} });
			trigger.webhookId = randomUUID();
			trigger.parameters = { public: true, mode: 'webhook', options: { responseMode: 'lastNode' } };
			chatPath = `${trigger.webhookId}/chat`;
			const model = nodeNamed(example, 'OpenAI Chat Model');
			expect(model.credentials).toBeUndefined();
			model.credentials = { [OPENAI_CREDENTIAL_TYPE]: { id: openAi.id, name: openAi.name } };
			workflowId = await client.deploy(deployable(example, credential));
		});

		afterAll(async () => {
			if (workflowId) await client.deactivate(workflowId).catch(() => undefined);
			await fake?.stop();
		});

		/** The link in a tool result (`files[].url`). */
		const linkIn = (content: string): string => (JSON.parse(content) as Array<{ files?: Array<{ url: string }> }>)[0]?.files?.[0]?.url ?? '';

		const jobIn = (content: string): string => (JSON.parse(content) as Array<{ jobId: string }>)[0].jobId;

		test('a chat message → the agent calls Perceptis Generate and answers with the link; a later message → Perceptis Get Status', async () => {
			const model = fake!;
			model.reset([
				{ toolCalls: [{ name: 'Perceptis_Generate', arguments: { outputType: 'deck', prompt: 'Q3 results for the board [sim:slides=4]' } }] },
				{ text: (context) => `Your deck is ready (job ${jobIn(context.toolResults.at(-1)!.content)}): ${linkIn(context.toolResults.at(-1)!.content)}` },
				// A later message: Simple Memory hands the model the conversation's texts (not the tool
				// calls), so the job ID comes from the model's own first answer.
				{
					toolCalls: [
						{
							name: 'Perceptis_Get_Status',
							arguments: (context) => ({ jobId: /\(job (\S+)\)/.exec(context.body.messages.map((m) => String(m.content ?? '')).join('\n'))?.[1] ?? 'no job id in the conversation' }),
						},
					],
				},
				{ text: (context) => `Here it is again: ${linkIn(context.toolResults.at(-1)!.content)}` },
			]);
			const first = await client.runWebhook(chatPath, { action: 'sendMessage', sessionId: 'examples-e2e', chatInput: 'Make me a deck about our Q3 results for the board.' });
			const second = await client.runWebhook(chatPath, { action: 'sendMessage', sessionId: 'examples-e2e', chatInput: 'Can I have the link again?' });
			const results = model.toolResults();
			// eslint-disable-next-line no-console
			for (const result of results) console.log(`agent-deck: ${result.name}(${result.arguments}) → the model received:\n${result.content}`);
			expect(model.problems).toEqual([]);

			// The model got the file's system message and both tools with the parameters $fromAI asks for.
			const [request] = model.chatRequests().map((r) => r.body as { messages: Array<{ role: string; content: string }>; tools: Array<{ function: { name: string; parameters: { properties: Record<string, unknown> } } }> });
			// (`developer` is the system role LangChain uses for OpenAI's reasoning models, gpt-5-mini among them.)
			expect(request.messages[0]).toMatchObject({ role: expect.stringMatching(/^(system|developer)$/), content: expect.stringContaining('call Perceptis Get Status with that job ID') });
			expect(Object.fromEntries(request.tools.map((t) => [t.function.name, Object.keys(t.function.parameters.properties).sort()]))).toEqual({
				Perceptis_Generate: ['outputType', 'prompt'],
				Perceptis_Get_Status: ['jobId'],
			});

			const jobs = (await sim!.jobs()) as Array<{ id: string; prompt: string; status: string; slideCount: number }>;
			const job = jobs.find((j) => j.prompt === 'Q3 results for the board [sim:slides=4]');
			expect(job).toMatchObject({ status: 'completed', slideCount: 4 });
			expect(jobs.filter((j) => j.prompt === job!.prompt)).toHaveLength(1);
			expect(results.map((r) => r.name)).toEqual(['Perceptis_Generate', 'Perceptis_Get_Status']);
			for (const result of results) {
				expect(JSON.parse(result.content)).toEqual([expect.objectContaining({ jobId: job!.id, status: 'completed', done: true, slideCount: 4 })]);
				expect(linkIn(result.content).startsWith(`${sim!.storageOrigin}/files/`)).toBe(true);
			}
			expect(first.status).toBe(200);
			expect(first.data).toEqual({ output: `Your deck is ready (job ${job!.id}): ${linkIn(results[0].content)}` });
			expect(second.status).toBe(200);
			expect(second.data).toEqual({ output: `Here it is again: ${linkIn(results[1].content)}` });
			// The second message's request carried the first answer: Simple Memory keeps the conversation.
			const later = model.chatRequests()[2].body as { messages: Array<{ role: string; content: string }> };
			// (1.123's AI Agent 3 saves the tool calls in front of the answer: "[Used tools: …] <answer>".)
			expect(later.messages.filter((m) => m.role === 'assistant' && String(m.content).endsWith(first.data.output))).toHaveLength(1);
		});
	});
});
