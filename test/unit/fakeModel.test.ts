/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The OpenAI-compatible fake model of the e2e suites (test/e2e/harness/fakeModel.ts): the answers
 * OpenAI's clients parse (chat.completion and the SSE chunks of a stream), the script's turns, and
 * the records a test reads.
 */
import axios from 'axios';

import { startFakeModel, type FakeModel } from '../e2e/harness/fakeModel';

const tools = [
	{ type: 'function', function: { name: 'Generate_deck', description: 'Makes a deck', parameters: { type: 'object', properties: { prompt: { type: 'string' } } } } },
	{ type: 'function', function: { name: 'Get_deck_status', parameters: { type: 'object', properties: { jobId: { type: 'string' } } } } },
];

interface Chunk {
	object: string;
	choices: Array<{ delta: { content?: string | null; tool_calls?: Array<{ function?: { arguments?: string } }> }; finish_reason: string | null }>;
	usage?: unknown;
}

describe('fake OpenAI-compatible model', () => {
	let fake: FakeModel;
	const http = axios.create({ proxy: false, validateStatus: () => true });
	const chat = async (body: Record<string, unknown>) =>
		await http.post(`${fake.baseUrl}/chat/completions`, { model: fake.model, tools, ...body }, { headers: { authorization: 'Bearer sk-fake' } });

	beforeEach(async () => {
		fake = await startFakeModel({ script: [] });
	});
	afterEach(async () => await fake.stop());

	it('lists its model', async () => {
		const response = await http.get(`${fake.baseUrl}/models`);
		expect(response.status).toBe(200);
		expect(response.data).toMatchObject({ object: 'list', data: [{ id: 'gpt-fake-1', object: 'model' }] });
	});

	it('plays tool calls (names matched to the offered tools) then a text, and records the tool results it received', async () => {
		fake.reset([
			{ toolCalls: [{ name: 'generate deck', arguments: { prompt: 'Q3' } }] },
			{ text: (context) => `got ${context.toolResults.map((r) => r.content).join(', ')}` },
		]);
		const first = await chat({ messages: [{ role: 'user', content: 'make a deck' }] });
		expect(first.status).toBe(200);
		expect(first.data).toMatchObject({
			object: 'chat.completion',
			choices: [
				{
					finish_reason: 'tool_calls',
					message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_0_0', type: 'function', function: { name: 'Generate_deck', arguments: '{"prompt":"Q3"}' } }] },
				},
			],
			usage: { total_tokens: expect.any(Number) },
		});
		const call = first.data.choices[0].message;
		const second = await chat({
			messages: [{ role: 'user', content: 'make a deck' }, call, { role: 'tool', tool_call_id: 'call_0_0', content: '[{"jobId":"j1"}]' }],
		});
		expect(second.data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'got [{"jobId":"j1"}]' } });
		expect(fake.toolResults()).toEqual([{ toolCallId: 'call_0_0', name: 'Generate_deck', arguments: '{"prompt":"Q3"}', content: '[{"jobId":"j1"}]' }]);
		expect(fake.chatRequests().map((r) => r.turn)).toEqual([0, 1]);
		expect(fake.problems).toEqual([]);
	});

	it('streams the same answer as server-sent chat.completion.chunk events when asked to', async () => {
		fake.reset([{ toolCalls: [{ name: 'Get_deck_status', arguments: { jobId: 'job_1' } }] }, { text: 'Ready.' }]);
		const events = async () => {
			const response = await http.post(
				`${fake.baseUrl}/chat/completions`,
				{ model: fake.model, tools, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'status?' }] },
				{ responseType: 'text' },
			);
			expect(response.headers['content-type']).toBe('text/event-stream');
			const lines = String(response.data).split('\n\n').filter(Boolean);
			expect(lines.at(-1)).toBe('data: [DONE]');
			return lines.slice(0, -1).map((line) => JSON.parse(line.replace(/^data: /, '')) as Chunk);
		};
		const toolChunks = await events();
		expect(toolChunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
		const args = toolChunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((t) => t.function?.arguments ?? '').join('');
		expect(args).toBe('{"jobId":"job_1"}');
		expect(toolChunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['tool_calls']);
		expect(toolChunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });

		const textChunks = await events();
		expect(textChunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? '')).join('')).toBe('Ready.');
	});

	it('answers 400 and records the problem when the script is used up or names a tool not offered', async () => {
		fake.reset([{ toolCalls: [{ name: 'Delete_everything', arguments: {} }] }]);
		const unknown = await chat({ messages: [{ role: 'user', content: 'hi' }] });
		expect(unknown.status).toBe(400);
		expect(unknown.data.error.message).toMatch(/no tool "Delete_everything" among the offered tools \[Generate_deck, Get_deck_status\]/);
		const overrun = await chat({ messages: [{ role: 'user', content: 'hi' }] });
		expect(overrun.status).toBe(400);
		expect(fake.problems).toHaveLength(2);
		expect(fake.problems[1]).toMatch(/the script has 1 turns and this asks for turn 2/);
	});

	it('holds a turn until its `before` resolves', async () => {
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		fake.reset([{ before: async () => await gate, text: 'done' }]);
		const pending = chat({ messages: [{ role: 'user', content: 'wait' }] });
		// Wait for the request to arrive, then hold: on a busy machine it can take longer than
		// any fixed pause to get there, and the hold is only measured from its arrival.
		while (fake.chatRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(fake.turnsAnswered()).toBe(0);
		const releasedAt = Date.now();
		release();
		expect((await pending).data.choices[0].message.content).toBe('done');
		const [record] = fake.chatRequests();
		expect(record.answeredAt!).toBeGreaterThanOrEqual(releasedAt);
	});
});
