/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * An OpenAI-compatible fake model on 127.0.0.1 that plays a script, for n8n's OpenAI Chat Model
 * node (credential `openAiApi`, Base URL = `fake.baseUrl`). No real model, no network.
 *
 * - `GET /v1/models`: one model (`fake.model`), for the credential test and the model list.
 * - `POST /v1/chat/completions`: each request takes the next turn of the script. A turn is tool
 *   calls (each a name from the request's `tools` and JSON arguments) or a final text answer.
 *   Non-streaming answers are `chat.completion` objects; with `"stream": true` the same answer
 *   comes as server-sent `chat.completion.chunk` events ending in `data: [DONE]`.
 * - A turn may hold its answer (`before`) until the test says so, e.g. until a job has finished:
 *   the model's next step then happens exactly when the test wants.
 * - Every request is recorded with its body, so a test reads exactly what the model received
 *   (`toolResults()`: the content of each tool message, by tool call).
 *
 * When the script is used up, or a turn names a tool the request does not offer, the fake answers
 * 400 with an OpenAI-style error (the client does not retry a 400) and records the problem in
 * `problems`, so the agent's run fails with a readable reason instead of looping.
 */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

/** A tool the request offered (`tools[].function`). */
export interface OfferedTool {
	name: string;
	description?: string;
	parameters?: Record<string, unknown>;
}

/** One chat message of a request, as OpenAI's API defines it (the fields n8n sends). */
export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool' | string;
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
	[key: string]: unknown;
}

export interface ChatRequestBody {
	model?: string;
	messages: ChatMessage[];
	tools?: Array<{ type: 'function'; function: OfferedTool }>;
	stream?: boolean;
	stream_options?: { include_usage?: boolean };
	[key: string]: unknown;
}

/** What a turn sees: the request that asked for it and everything recorded so far. */
export interface TurnContext {
	/** 0-based index of this turn in the script. */
	turn: number;
	body: ChatRequestBody;
	/** The tools offered in this request. */
	tools: OfferedTool[];
	/** Tool results this request carries (all of the conversation so far), oldest first. */
	toolResults: ToolResult[];
}

export interface ScriptedToolCall {
	/** The tool's name as the request offers it, or a function that picks it from the offered tools. */
	name: string | ((tools: OfferedTool[]) => string | undefined);
	/** The arguments (an object is sent as JSON); a function computes them from the request. */
	arguments: Record<string, unknown> | string | ((context: TurnContext) => Record<string, unknown> | string);
	/** The tool call id; default `call_<turn>_<index>`. */
	id?: string;
}

export type ModelTurn = (
	| { toolCalls: ScriptedToolCall[]; text?: undefined }
	| { text: string | ((context: TurnContext) => string); toolCalls?: undefined }
) & {
	/** Runs before the answer is sent (after the request was recorded): hold the model's step until the test says so. */
	before?: (context: TurnContext) => Promise<void>;
};

/** A tool result as the model received it: the tool message and the call it answers. */
export interface ToolResult {
	toolCallId: string;
	/** The called tool's name (from the assistant message that made the call). */
	name?: string;
	/** The arguments of the call, as sent (a JSON string). */
	arguments?: string;
	/** Exactly the tool message's content. */
	content: string;
}

export interface RecordedModelRequest {
	method: string;
	path: string;
	/** Request headers; `authorization` is kept so a test can check the key that was sent. */
	headers: http.IncomingHttpHeaders;
	body?: unknown;
	/** Date.now() when the request had arrived completely. */
	receivedAt: number;
	/** Date.now() when the answer was sent. */
	answeredAt?: number;
	/** The turn that answered it (chat completions only). */
	turn?: number;
	status?: number;
	/** The answer sent (chat completions: the assistant message). */
	answer?: ChatMessage;
}

export interface FakeModelOptions {
	script: ModelTurn[];
	/** The model id `GET /v1/models` lists (default `gpt-fake-1`). */
	model?: string;
}

export interface FakeModel {
	/** `http://127.0.0.1:<port>/v1`: the credential's Base URL. */
	baseUrl: string;
	origin: string;
	model: string;
	/** Every request, in arrival order. */
	requests: RecordedModelRequest[];
	/** The chat completion requests only. */
	chatRequests(): RecordedModelRequest[];
	/** Every tool result the model has received (deduplicated by tool call id), in the order of the calls. */
	toolResults(): ToolResult[];
	/** What went wrong (a used-up script, an unknown tool, a turn that threw). Empty when all went to plan. */
	problems: string[];
	/** Turns answered so far. */
	turnsAnswered(): number;
	/** Replaces the script and starts it from its first turn (the records stay). */
	setScript(script: ModelTurn[]): void;
	/** Forgets every request and problem, and plays `script` from its first turn: a fresh model for the next test. */
	reset(script?: ModelTurn[]): void;
	stop(): Promise<void>;
}

/** The text of a message's content (a string, or the text parts of an array). */
export function contentText(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

/** The tool results a request body carries, each with the call it answers. */
export function toolResultsOf(body: ChatRequestBody): ToolResult[] {
	const calls = new Map<string, { name: string; arguments: string }>();
	const results: ToolResult[] = [];
	for (const message of body.messages ?? []) {
		for (const call of message.tool_calls ?? []) calls.set(call.id, { name: call.function.name, arguments: call.function.arguments });
		if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
			const call = calls.get(message.tool_call_id);
			results.push({ toolCallId: message.tool_call_id, name: call?.name, arguments: call?.arguments, content: contentText(message.content) });
		}
	}
	return results;
}

function offeredTools(body: ChatRequestBody): OfferedTool[] {
	return (body.tools ?? []).filter((tool) => tool?.type === 'function' && tool.function).map((tool) => tool.function);
}

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_');

/** The offered tool a scripted name means: the exact name, else the same name ignoring case and punctuation. */
function resolveToolName(wanted: ScriptedToolCall['name'], tools: OfferedTool[]): string | undefined {
	if (typeof wanted === 'function') return wanted(tools);
	return tools.find((tool) => tool.name === wanted)?.name ?? tools.find((tool) => normalize(tool.name) === normalize(wanted))?.name;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	response.end(text);
}

function openAiError(response: http.ServerResponse, status: number, message: string): void {
	sendJson(response, status, { error: { message, type: 'invalid_request_error', param: null, code: 'fake_model_script' } });
}

export async function startFakeModel(options: FakeModelOptions): Promise<FakeModel> {
	const model = options.model ?? 'gpt-fake-1';
	let script = options.script;
	let nextTurn = 0;
	let answered = 0;
	let completionCount = 0;
	const requests: RecordedModelRequest[] = [];
	const problems: string[] = [];
	const sockets = new Set<Socket>();

	async function chatCompletion(record: RecordedModelRequest, body: ChatRequestBody, response: http.ServerResponse): Promise<void> {
		const turnIndex = nextTurn++;
		record.turn = turnIndex;
		const turn = script[turnIndex];
		const tools = offeredTools(body);
		if (!turn) {
			const problem = `request ${requests.indexOf(record)}: the script has ${script.length} turns and this asks for turn ${turnIndex + 1}`;
			problems.push(problem);
			record.status = 400;
			openAiError(response, 400, `fake model: ${problem}`);
			return;
		}
		const context: TurnContext = { turn: turnIndex, body, tools, toolResults: toolResultsOf(body) };
		let message: ChatMessage;
		try {
			if (turn.before) await turn.before(context);
			if (turn.toolCalls) {
				message = {
					role: 'assistant',
					content: null,
					tool_calls: turn.toolCalls.map((call, index) => {
						const name = resolveToolName(call.name, tools);
						if (!name) {
							throw new Error(
								`turn ${turnIndex}: no tool ${typeof call.name === 'string' ? `"${call.name}"` : '(picked by a function)'} among the offered tools [${tools.map((t) => t.name).join(', ')}]`,
							);
						}
						const args = typeof call.arguments === 'function' ? call.arguments(context) : call.arguments;
						return {
							id: call.id ?? `call_${turnIndex}_${index}`,
							type: 'function' as const,
							function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
						};
					}),
				};
			} else {
				message = { role: 'assistant', content: typeof turn.text === 'function' ? turn.text(context) : turn.text };
			}
		} catch (error) {
			const problem = (error as Error).message;
			problems.push(problem);
			record.status = 400;
			openAiError(response, 400, `fake model: ${problem}`);
			return;
		}
		record.answer = message;
		record.status = 200;
		answered++;
		const id = `chatcmpl-fake-${++completionCount}`;
		const created = Math.floor(Date.now() / 1000);
		const finishReason = message.tool_calls ? 'tool_calls' : 'stop';
		const promptTokens = JSON.stringify(body.messages ?? []).length >> 2;
		const completionTokens = JSON.stringify(message).length >> 2;
		const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

		if (body.stream === true) {
			response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
			const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
				`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
			response.write(chunk({ role: 'assistant', content: message.tool_calls ? null : '' }, null));
			if (message.tool_calls) {
				message.tool_calls.forEach((call, index) => {
					response.write(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null));
					// The arguments in two pieces, as a real model streams them.
					const half = Math.ceil(call.function.arguments.length / 2);
					for (const piece of [call.function.arguments.slice(0, half), call.function.arguments.slice(half)]) {
						if (piece) response.write(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
					}
				});
			} else {
				response.write(chunk({ content: contentText(message.content) }, null));
			}
			response.write(chunk({}, finishReason));
			if (body.stream_options?.include_usage) {
				response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
			}
			response.end('data: [DONE]\n\n');
			return;
		}
		sendJson(response, 200, {
			id,
			object: 'chat.completion',
			created,
			model,
			choices: [{ index: 0, message: { ...message, refusal: null }, logprobs: null, finish_reason: finishReason }],
			usage,
		});
	}

	const server = http.createServer((request, response) => {
		void (async () => {
			const raw = await readBody(request);
			const url = new URL(request.url ?? '/', 'http://127.0.0.1');
			const record: RecordedModelRequest = { method: request.method ?? 'GET', path: url.pathname, headers: request.headers, receivedAt: Date.now() };
			requests.push(record);
			try {
				if (raw) {
					try {
						record.body = JSON.parse(raw);
					} catch {
						record.body = raw;
					}
				}
				const route = url.pathname.replace(/\/+$/, '');
				if (request.method === 'GET' && route === '/v1/models') {
					record.status = 200;
					sendJson(response, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1_700_000_000, owned_by: 'perceptis-tests' }] });
				} else if (request.method === 'GET' && route.startsWith('/v1/models/')) {
					record.status = 200;
					sendJson(response, 200, { id: decodeURIComponent(route.slice('/v1/models/'.length)), object: 'model', created: 1_700_000_000, owned_by: 'perceptis-tests' });
				} else if (request.method === 'POST' && route === '/v1/chat/completions') {
					if (typeof record.body !== 'object' || record.body === null || !Array.isArray((record.body as ChatRequestBody).messages)) {
						record.status = 400;
						problems.push(`request ${requests.indexOf(record)}: a chat completion without messages`);
						openAiError(response, 400, 'fake model: messages is required');
					} else {
						await chatCompletion(record, record.body as ChatRequestBody, response);
					}
				} else {
					record.status = 404;
					problems.push(`request ${requests.indexOf(record)}: ${request.method} ${url.pathname} is not served by the fake model`);
					openAiError(response, 404, `fake model: ${request.method} ${url.pathname} is not served`);
				}
			} catch (error) {
				problems.push(`request ${requests.indexOf(record)}: ${(error as Error).message}`);
				if (!response.headersSent) openAiError(response, 500, `fake model: ${(error as Error).message}`);
				else response.end();
			} finally {
				record.answeredAt = Date.now();
			}
		})();
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;

	const chatRequests = () => requests.filter((r) => r.method === 'POST' && r.path.replace(/\/+$/, '') === '/v1/chat/completions');
	return {
		baseUrl: `${origin}/v1`,
		origin,
		model,
		requests,
		problems,
		chatRequests,
		toolResults() {
			const seen = new Map<string, ToolResult>();
			for (const record of chatRequests()) {
				for (const result of toolResultsOf(record.body as ChatRequestBody)) if (!seen.has(result.toolCallId)) seen.set(result.toolCallId, result);
			}
			return [...seen.values()];
		},
		turnsAnswered: () => answered,
		setScript(next) {
			script = next;
			nextTurn = 0;
		},
		reset(next = []) {
			requests.length = 0;
			problems.length = 0;
			answered = 0;
			script = next;
			nextTurn = 0;
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
