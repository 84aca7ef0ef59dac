/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, import-x/no-unresolved -- test code: runs in Node under jest, never inside n8n; the linter's resolver does not follow the MCP SDK's `exports` wildcard (TypeScript and Node do) */
/**
 * The Perceptis node as an AI agent's tool and as an MCP tool, in a real n8n.
 *
 * Agent: Chat Trigger → AI Agent with the OpenAI Chat Model, whose credential's Base URL points at
 * a fake OpenAI-compatible model on 127.0.0.1 that plays a script (test/e2e/harness/fakeModel.ts).
 * Two Perceptis tool nodes hang on the agent: "Generate deck" (prompt from $fromAI, Wait as AI Tool
 * 3 s) and "Get deck status" (job ID from $fromAI). The model calls Generate for a long deck, calls
 * it again with the same arguments, calls Get Status once the job has ended (the fake holds that turn
 * until then), and answers with the link. The fake records what the model received from each call.
 *
 * MCP: the MCP Server Trigger exposes "Generate deck"; the official MCP client
 * (@modelcontextprotocol/sdk) lists the tools over n8n's streamable HTTP endpoint and calls it.
 *
 * Both ways n8n runs a tool are covered: the AI Agent 3.x hands each tool call to the workflow
 * engine, which runs the tool node like any other node (`isToolExecution()` is false there on 2.41
 * and absent on 1.123; the node goes by its `…Tool` node type), while the AI Agent 2.x and the MCP
 * Server Trigger call the tool in place (`isToolExecution()` true on 2.41).
 */
import axios from 'axios';
import * as fs from 'fs';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
	aiAgent,
	agentWorkflow,
	assertPptx,
	chatTrigger,
	majorOf,
	mcpTrigger,
	mcpWorkflow,
	openAiChatModel,
	OPENAI_CREDENTIAL_TYPE,
	perceptisTool,
	selectedN8nVersion,
	startFakeModel,
	startPerceptisStack,
	uniquePath,
	type CredentialRef,
	type FakeModel,
	type N8nClient,
	type N8nInstance,
	type SimulatorProcess,
	type ToolResult,
} from './harness';

const version = selectedN8nVersion();
const major = majorOf(version);
/** A deck of 1800 s at the e2e simulator's time scale (0.005): 9 s of real time, longer than two tool waits. */
const LONG_DECK = '[sim:seconds=1800] Q3 results for the board: revenue, churn, next steps';
const TOOL_WAIT_SECONDS = 3;
/** What n8n and the agent may add to a tool call beyond the node's own wait. */
const TOOL_OVERHEAD_MS = 2_500;
/** The e2e lock may be held by another suite for a while: starting waits for it. */
const START_TIMEOUT_MS = 30 * 60_000;

/** The agent versions tested: the one a user gets when adding the node, and the previous major. */
const AGENT_VERSIONS = major >= 2 ? [3.1, 2.2] : [3, 2.2];

interface SimJob {
	id: string;
	status: string;
	prompt: string;
	creditsCharged: number;
}

interface ToolJson {
	jobId: string;
	status: string;
	done: boolean;
	slideCount?: number | null;
	files?: Array<{ url: string; slideCount?: number; fileName?: string; expiresAt?: string }>;
	linksExpire?: string;
	nextStep?: string;
	summary: string;
	[key: string]: unknown;
}

/** What the closing report quotes: printed as the test runs. */
function log(message: string): void {
	// eslint-disable-next-line no-console
	console.log(message);
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** n8n hands the model the JSON of the tool's output items: an array, one entry per item. */
function parsed(result: ToolResult | { content: string }): ToolJson[] {
	return JSON.parse(result.content) as ToolJson[];
}

/** The tool result of a job still running, exactly as the node writes it. */
function stillRunning(jobId: string, status: string): ToolJson {
	return {
		jobId,
		status,
		done: false,
		nextStep: `Call the Perceptis tool's Get Status operation with job ID ${jobId} in about a minute; do not start the job again. Slides take 3–7 minutes, decks 5–15.`,
		summary: `Still being made (status: ${status}). Job ID ${jobId}: check again with Get Status in about a minute.`,
	};
}

/** The tool result of a finished deck with one file, exactly as the node writes it. */
function ready(jobId: string, url: string, slides: number): ToolJson {
	return {
		jobId,
		status: 'completed',
		done: true,
		slideCount: slides,
		files: [{ url, slideCount: slides }],
		linksExpire: 'soon: the links are pre-signed and short-lived; hand them to the user now, or call Get Status with this job ID for fresh ones',
		summary: `Ready: ${slides} slides. Download: ${url} (the link expires soon).`,
	};
}

let stack: Awaited<ReturnType<typeof startPerceptisStack>> | undefined;
let fake: FakeModel | undefined;
let sim: SimulatorProcess;
let n8n: N8nInstance;
let client: N8nClient;
let business: CredentialRef;
let openAi: CredentialRef;
const started = Date.now();

beforeAll(async () => {
	const asked = Date.now();
	stack = await startPerceptisStack(version);
	({ sim, n8n, client, business } = stack);
	fake = await startFakeModel({ script: [] });
	openAi = await client.createCredential({
		name: 'Fake OpenAI',
		type: OPENAI_CREDENTIAL_TYPE,
		data: { apiKey: 'sk-fake-model-key-not-a-secret', url: fake.baseUrl },
	});
	log(
		`n8n ${version} ready in ${n8n.startMs} ms (${Math.round((Date.now() - asked) / 1000)} s with the e2e lock and the simulator) at ${n8n.baseUrl}; ` +
			`fake model at ${fake.baseUrl}; log ${n8n.logPath}`,
	);
}, START_TIMEOUT_MS);

afterAll(async () => {
	await stack?.stop();
	await fake?.stop();
	log(`agent and MCP e2e on n8n ${version}: ${Math.round((Date.now() - started) / 1000)} s`);
});

beforeEach(async () => {
	await sim.reset();
	await sim.configure({ statusRetryAfterSeconds: 1 });
});

const jobs = async () => (await sim.jobs()) as SimJob[];

async function waitForJob(jobId: string, status: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const job = (await jobs()).find((j) => j.id === jobId);
		if (job?.status === status) return;
		if (Date.now() > deadline) throw new Error(`job ${jobId} is ${job?.status ?? 'unknown'}, not ${status}, after ${timeoutMs} ms`);
		await sleep(200);
	}
}

/** Lines of n8n's log about binary data a tool returned (the agent drops it). */
function binaryWarnings(logFrom: number): string[] {
	return fs
		.readFileSync(n8n.logPath, 'utf8')
		.slice(logFrom)
		.split('\n')
		.filter((line) => /binary data/i.test(line) && /tool/i.test(line));
}

describe.each(AGENT_VERSIONS)(`an AI agent (AI Agent %s) makes a deck with the Perceptis tools, in n8n ${version}`, (agentVersion) => {
	test(
		'Generate returns the job id within Wait as AI Tool, a repeated Generate is the same job, Get Status gives the link: one job',
		async () => {
			const model = fake!;
			const logFrom = fs.statSync(n8n.logPath).size;
			const trigger = chatTrigger();
			const workflow = agentWorkflow(`agent ${agentVersion} makes a deck`, {
				trigger,
				agent: aiAgent({
					typeVersion: agentVersion,
					systemMessage: 'You make PowerPoint decks with the Perceptis tools and hand the user the download link.',
				}),
				model: openAiChatModel(openAi, model.model),
				tools: [
					perceptisTool(business, 'Generate deck', {
						operation: 'generate',
						outputType: 'deck',
						prompt: "={{ $fromAI('prompt', 'What the deck is about: audience, topic, key points', 'string') }}",
						options: { toolWaitSeconds: TOOL_WAIT_SECONDS },
					}),
					perceptisTool(business, 'Get deck status', {
						operation: 'getStatus',
						jobId: "={{ $fromAI('jobId', 'The job ID that Generate deck returned', 'string') }}",
					}),
				],
			});
			const firstJobId = () => parsed(model.toolResults()[0])[0].jobId;
			model.reset([
				{ toolCalls: [{ name: 'Generate_deck', arguments: { prompt: LONG_DECK } }] },
				// The same call again, as a model that ignores nextStep (or a retried call) would make it.
				{ toolCalls: [{ name: 'Generate_deck', arguments: { prompt: LONG_DECK } }] },
				// The model's next step, once the job has ended: the fake holds this turn until then.
				{
					before: async () => await waitForJob(firstJobId(), 'completed'),
					toolCalls: [{ name: 'Get_deck_status', arguments: () => ({ jobId: firstJobId() }) }],
				},
				{ text: (context) => `Your deck is ready: ${parsed(context.toolResults.at(-1)!)[0].files?.[0]?.url}` },
			]);

			const workflowId = await client.deploy(workflow);
			const response = await client.runWebhook(`${trigger.webhookId}/chat`, {
				action: 'sendMessage',
				sessionId: `e2e-agent-${agentVersion}`,
				chatInput: 'Make me a deck about our Q3 results for the board.',
			});
			const [execution] = await client.waitForExecutions(workflowId, 1);
			await client.deactivate(workflowId);

			const turns = model.chatRequests();
			const results = model.toolResults();
			for (const [index, result] of results.entries()) {
				log(`AI Agent ${agentVersion}, tool call ${index + 1}: ${result.name}(${result.arguments}) → the model received:\n${result.content}`);
			}
			const firstCallMs = turns.length > 1 ? turns[1].receivedAt - turns[0].answeredAt! : NaN;
			const secondCallMs = turns.length > 2 ? turns[2].receivedAt - turns[1].answeredAt! : NaN;
			log(
				`AI Agent ${agentVersion}: first Generate call ${firstCallMs} ms, second ${secondCallMs} ms (Wait as AI Tool ${TOOL_WAIT_SECONDS} s); ` +
					`chat answer ${response.status} ${JSON.stringify(response.data)}; simulator jobs ${(await jobs()).length}; execution ${execution.status}`,
			);

			expect(model.problems).toEqual([]);
			expect(execution.status).toBe('success');
			// The model saw both tools, with the parameters $fromAI asks for.
			const offered = (turns[0].body as { tools: Array<{ function: { name: string; parameters: { properties: Record<string, unknown> } } }> }).tools;
			expect(Object.fromEntries(offered.map((t) => [t.function.name, Object.keys(t.function.parameters.properties)]))).toEqual({
				Generate_deck: ['prompt'],
				Get_deck_status: ['jobId'],
			});

			// Exactly one job, charged once, although Generate was called twice.
			const [job, ...others] = await jobs();
			expect(others).toEqual([]);
			expect(job).toMatchObject({ prompt: LONG_DECK, status: 'completed', creditsCharged: 3 });

			// 1st call: back within Wait as AI Tool with the job id and the next step, not an error.
			expect(results).toHaveLength(3);
			const [first, second, status] = results.map(parsed);
			expect(first).toEqual([stillRunning(job.id, first[0]?.status)]);
			expect(first[0].status).toMatch(/^(pending|processing)$/);
			expect(firstCallMs).toBeGreaterThanOrEqual(TOOL_WAIT_SECONDS * 1000 - 100);
			expect(firstCallMs).toBeLessThan(TOOL_WAIT_SECONDS * 1000 + TOOL_OVERHEAD_MS);
			// 2nd, the same arguments: the same job, still running.
			expect(second).toEqual([stillRunning(job.id, 'processing')]);
			expect(secondCallMs).toBeLessThan(TOOL_WAIT_SECONDS * 1000 + TOOL_OVERHEAD_MS);
			// Get Status once done: the link, which downloads the deck.
			const url = status[0]?.files?.[0]?.url ?? '';
			expect(url.startsWith(`${sim.storageOrigin}/files/`)).toBe(true);
			expect(status).toEqual([ready(job.id, url, 3)]);
			// As a tool the node fetched no file (the agent would only drop it); the link works.
			expect((await sim.requests()).filter((request) => request.server === 'storage')).toEqual([]);
			const file = await axios.get<ArrayBuffer>(url, { responseType: 'arraybuffer', proxy: false });
			expect(assertPptx(Buffer.from(file.data)).slides).toBe(3);

			// The agent's answer carries the link; no binary data was handed to the agent and dropped.
			expect(response.status).toBe(200);
			expect(response.data).toEqual({ output: `Your deck is ready: ${url}` });
			expect(binaryWarnings(logFrom)).toEqual([]);
			const runs = execution.data?.resultData.runData ?? {};
			expect({ generate: runs['Generate deck']?.length, status: runs['Get deck status']?.length }).toEqual({ generate: 2, status: 1 });
		},
	);
});

describe(`an MCP client calls the Perceptis tool through the MCP Server Trigger, in n8n ${version}`, () => {
	let workflowId: string | undefined;
	let endpoint: URL;
	let mcp: McpClient | undefined;

	beforeAll(async () => {
		const path = uniquePath('perceptis-mcp');
		const trigger = mcpTrigger(path);
		workflowId = await client.deploy(
			mcpWorkflow('MCP: Perceptis tools', trigger, [
				perceptisTool(business, 'Generate deck', {
					operation: 'generate',
					outputType: 'deck',
					prompt: "={{ $fromAI('prompt', 'What the deck is about: audience, topic, key points', 'string') }}",
					options: { toolWaitSeconds: TOOL_WAIT_SECONDS },
				}),
			]),
		);
		endpoint = new URL(`${n8n.baseUrl}/mcp/${path}`);
		// Right after activation n8n may not have registered the endpoint yet.
		const deadline = Date.now() + 15_000;
		for (;;) {
			const candidate = new McpClient({ name: 'perceptis-e2e', version: '1.0.0' });
			try {
				await candidate.connect(new StreamableHTTPClientTransport(endpoint));
				mcp = candidate;
				break;
			} catch (error) {
				await candidate.close().catch(() => undefined);
				if (Date.now() > deadline) throw error;
				await sleep(250);
			}
		}
	});

	afterAll(async () => {
		await mcp?.close().catch(() => undefined);
		if (workflowId) await client.deactivate(workflowId).catch(() => undefined);
	});

	test('lists the Perceptis tool with its prompt parameter', async () => {
		const { tools } = await mcp!.listTools();
		log(`MCP tools/list: ${JSON.stringify(tools)}`);
		expect(tools.map((t) => t.name)).toEqual(['Generate_deck']);
		expect(tools[0].inputSchema).toMatchObject({ type: 'object', properties: { prompt: { type: 'string' } } });
	});

	test('tools/call Generate deck: the links as JSON, one job', async () => {
		const prompt = 'Onboarding deck for new sales hires [sim:slides=4]';
		const callStarted = Date.now();
		const result = (await mcp!.callTool({ name: 'Generate_deck', arguments: { prompt } })) as {
			content: Array<{ type: string; text?: string }>;
			isError?: boolean;
		};
		const elapsedMs = Date.now() - callStarted;
		log(`MCP tools/call Generate_deck (${elapsedMs} ms) → ${JSON.stringify(result)}`);

		const [job, ...others] = await jobs();
		expect(others).toEqual([]);
		expect(job).toMatchObject({ prompt, status: 'completed', creditsCharged: 4 });
		expect(result.isError).toBeFalsy();
		expect(result.content).toHaveLength(1);
		expect(result.content[0].type).toBe('text');
		const json = parsed({ content: result.content[0].text ?? '' });
		const url = json[0]?.files?.[0]?.url ?? '';
		expect(url.startsWith(`${sim.storageOrigin}/files/`)).toBe(true);
		expect(json).toEqual([ready(job.id, url, 4)]);
	});

	test('tools/call of a long deck returns within Wait as AI Tool with the job id and the next step', async () => {
		const callStarted = Date.now();
		const result = (await mcp!.callTool({ name: 'Generate_deck', arguments: { prompt: LONG_DECK } })) as {
			content: Array<{ type: string; text?: string }>;
			isError?: boolean;
		};
		const elapsedMs = Date.now() - callStarted;
		log(`MCP tools/call Generate_deck, long deck (${elapsedMs} ms) → ${JSON.stringify(result)}`);

		const [job, ...others] = await jobs();
		expect(others).toEqual([]);
		expect(result.isError).toBeFalsy();
		const json = parsed({ content: result.content[0]?.text ?? '' });
		expect(json).toEqual([stillRunning(job.id, json[0]?.status)]);
		expect(elapsedMs).toBeLessThan(TOOL_WAIT_SECONDS * 1000 + TOOL_OVERHEAD_MS);
	});

	test('the same tools/call twice: two executions, one job (the tool call key), the same id back', async () => {
		const prompt = '[sim:seconds=800] Pricing update for the sales team';
		const call = async () => (await mcp!.callTool({ name: 'Generate_deck', arguments: { prompt } })) as { content: Array<{ text?: string }> };
		const ids = [];
		for (const result of [await call(), await call()]) ids.push(parsed({ content: result.content[0]?.text ?? '' })[0]?.jobId);
		const found = (await jobs()).filter((job) => job.prompt === prompt).map((job) => job.id);
		log(`MCP: the same tools/call twice → job ids ${JSON.stringify(ids)}; simulator jobs for the prompt ${JSON.stringify(found)}`);
		expect(found).toHaveLength(1);
		expect(ids).toEqual([found[0], found[0]]);
	});
});

