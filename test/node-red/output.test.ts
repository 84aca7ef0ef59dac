/**
 * The messages and errors of a finished task, without a Node-RED (the core's fake clock and API):
 * parts that nest as Split's do, a file past the size limit refused with its job id, and the
 * facts an error carries on msg.perceptis.
 */
import { FILE_SIZE_LIMIT_BYTES } from '../../core/files/limits';
import type { JobPlan } from '../../core/jobs/plan';
import { runJobTasks } from '../../core/jobs/runner';
import { JobTask } from '../../core/jobs/task';
import { failWith, problemOf } from '../../node-red/src/errors';
import { bufferSink, type NodeRedTask } from '../../node-red/src/fileSink';
import { resultMessages } from '../../node-red/src/output';
import type { NodeMessage } from '../../node-red/src/red';
import { FakeApi, FakeClock } from '../core/fakes';

const tools = { clone: (msg: NodeMessage) => JSON.parse(JSON.stringify(msg)) as NodeMessage, newId: () => 'parts-1' };

async function downloaded(fileCount: number, limitBytes = FILE_SIZE_LIMIT_BYTES): Promise<NodeRedTask> {
	const clock = new FakeClock();
	const api = new FakeApi(clock);
	api.addJob('job-1', 0, { fileCount });
	const plan: JobPlan = { itemIndex: 0, jobId: 'job-1', mode: 'download', downloadFiles: true, timeoutMs: 60_000, binaryPropertyName: 'payload', itemPerFile: true };
	const task: NodeRedTask = new JobTask(plan, api, clock.now, bufferSink(limitBytes));
	await runJobTasks([task], clock, { maxInFlight: 1, stopOnFirstFailure: true });
	return task;
}

describe('result messages', () => {
	it('one per file; parts a message already had are kept inside, as Split nests them', async () => {
		const task = await downloaded(2);
		const outer = { id: 'from-split', index: 3, count: 5 };
		const messages = resultMessages({ _msgid: 'm', payload: 'prompt', parts: outer }, task, 'download', false, tools);
		expect(messages.map((msg) => msg.parts)).toEqual([
			{ id: 'parts-1', index: 0, count: 2, type: 'array', len: 1, parts: outer },
			{ id: 'parts-1', index: 1, count: 2, type: 'array', len: 1, parts: outer },
		]);
		expect(messages.every((msg) => Buffer.isBuffer(msg.payload))).toBe(true);
		expect(messages[1]._msgid).toBe('m');
	});

	it('a single file keeps the parts the message came with, untouched', async () => {
		const task = await downloaded(1);
		const [msg] = resultMessages({ payload: 'p', parts: { id: 'x', index: 0, count: 1 } }, task, 'wait', true, tools);
		expect(msg.parts).toEqual({ id: 'x', index: 0, count: 1 });
		expect((msg.perceptis as { resumed?: boolean }).resumed).toBe(true);
	});
});

describe('a file past the size limit', () => {
	it('is refused with the job id, and msg.perceptis.error says so', async () => {
		const task = await downloaded(1, 3);
		expect(task.failure).toBeUndefined();
		const facts = problemOf(task, 'https://app.perceptis.ai')!;
		expect(facts).toMatchObject({ code: 'file_too_large', jobId: 'job-1' });
		const msg: NodeMessage = { payload: 'p' };
		const error = failWith(msg, facts, task);
		expect(error.code).toBe('file_too_large');
		expect(error.name).toBe('PerceptisError');
		expect(error.message).toContain('is larger than 3 bytes, the most this node holds in memory');
		expect(msg.perceptis).toMatchObject({ jobId: 'job-1', status: 'completed', error: { code: 'file_too_large', jobId: 'job-1' } });
	});
});
