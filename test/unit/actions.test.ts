/**
 * The operations' parameter readers and plans, with a minimal stand-in for n8n's execution
 * context (parameters, node, input items, execution id). No request is made here.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	readBinaryPropertyName,
	readJobId,
	readMaxJobsInFlight,
	readTimeoutMs,
} from '../../nodes/Perceptis/actions/common';
import * as download from '../../nodes/Perceptis/actions/download.operation';
import * as generate from '../../nodes/Perceptis/actions/generate.operation';
import * as getStatus from '../../nodes/Perceptis/actions/getStatus.operation';
import * as waitForCompletion from '../../nodes/Perceptis/actions/waitForCompletion.operation';
import { defaultIdempotencyKey } from '../../core/keys/idempotency';
import { TIMING } from '../../core/pacing/timing';
import { testNode } from '../support/n8nContext';

const NODE: INode = testNode({ id: 'node-id-7' });

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function fakeCtx(
	parameters: IDataObject | ((itemIndex: number) => IDataObject),
	items: INodeExecutionData[] = [{ json: {} }],
	runIndex = 0,
	asTool = false,
	executionId = 'exec-77',
): IExecuteFunctions {
	const paramsOf = (itemIndex: number) => (typeof parameters === 'function' ? parameters(itemIndex) : parameters);
	return {
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const params = paramsOf(itemIndex);
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getNode: () => NODE,
		getInputData: () => items,
		getExecutionId: () => executionId,
		getWorkflow: () => ({ id: 'wf-3', name: 'Decks', active: true }),
		getWorkflowDataProxy: () => ({ $runIndex: runIndex }),
		isToolExecution: () => asTool,
		helpers: {
			getBinaryDataBuffer: async (itemIndex: number, property: string) =>
				Buffer.from(items[itemIndex].binary![property].data, 'base64'),
		},
	} as unknown as IExecuteFunctions;
}

function thrown(fn: () => unknown): NodeOperationError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('did not throw');
}

async function rejected(promise: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('did not reject');
}

describe('common readers', () => {
	it('readJobId trims strings and accepts numbers', () => {
		expect(readJobId(fakeCtx({ jobId: '  job-1 ' }), 0)).toBe('job-1');
		expect(readJobId(fakeCtx({ jobId: 1234 }), 0)).toBe('1234');
	});

	it.each([[''], ['   '], [undefined], [null]])('readJobId refuses %j with the item index', (jobId) => {
		const error = thrown(() => readJobId(fakeCtx({ jobId }), 4));
		expect(error.message).toBe('Job ID is empty on item 4');
		expect(error.description).toContain('Generate');
		expect(error.context.itemIndex).toBe(4);
	});

	it('readTimeoutMs defaults to TIMING.defaultTimeoutSeconds and converts seconds', () => {
		const ctx = fakeCtx({});
		expect(readTimeoutMs(ctx, 0, {})).toBe(TIMING.defaultTimeoutSeconds * 1000);
		expect(readTimeoutMs(ctx, 0, {})).toBeGreaterThanOrEqual(1_200_000);
		expect(readTimeoutMs(ctx, 0, { timeoutSeconds: 90 })).toBe(90_000);
		expect(readTimeoutMs(ctx, 0, { timeoutSeconds: 1.5 })).toBe(1_500);
	});

	it.each([[0], [-5], ['600'], [NaN], [Infinity]])('readTimeoutMs refuses %j and names it', (value) => {
		const error = thrown(() => readTimeoutMs(fakeCtx({}), 2, { timeoutSeconds: value }));
		expect(error.message).toBe(`Job Timeout (Seconds) must be a positive number, not "${String(value)}"`);
		expect(error.context.itemIndex).toBe(2);
	});

	it('readBinaryPropertyName defaults to data and trims', () => {
		expect(readBinaryPropertyName(fakeCtx({}), 0, {})).toBe('data');
		expect(readBinaryPropertyName(fakeCtx({}), 0, { binaryPropertyName: ' slides ' })).toBe('slides');
		expect(thrown(() => readBinaryPropertyName(fakeCtx({}), 0, { binaryPropertyName: ' ' })).message).toBe(
			'Put Output File in Field is empty',
		);
	});

	it('readMaxJobsInFlight is no cap without the option, and reads item 0', () => {
		expect(readMaxJobsInFlight(fakeCtx({}))).toBe(Number.POSITIVE_INFINITY);
		expect(readMaxJobsInFlight(fakeCtx((i) => ({ options: { maxJobsInFlight: i === 0 ? 2 : 9 } })))).toBe(2);
	});

	it.each([[0], [1.5], [-1], ['3']])('readMaxJobsInFlight refuses %j', (value) => {
		const error = thrown(() => readMaxJobsInFlight(fakeCtx({ options: { maxJobsInFlight: value } })));
		expect(error.message).toBe(`Max Jobs in Flight must be a whole number of at least 1, not "${String(value)}"`);
	});
});

describe('plans of the job operations', () => {
	it('Get Status checks once', async () => {
		const plan = await getStatus.plan.call(fakeCtx({ jobId: 'job-9' }), 1);
		expect(plan).toMatchObject({ itemIndex: 1, jobId: 'job-9', mode: 'check-once', downloadFiles: false });
		expect(plan.start).toBeUndefined();
	});

	it('Wait for Completion waits and downloads unless told not to', async () => {
		const plan = await waitForCompletion.plan.call(fakeCtx({ jobId: 'job-9', options: { timeoutSeconds: 600 } }), 0);
		expect(plan).toMatchObject({ jobId: 'job-9', mode: 'wait', downloadFiles: true, timeoutMs: 600_000, binaryPropertyName: 'data' });
		const noFiles = await waitForCompletion.plan.call(fakeCtx({ jobId: 'job-9', options: { downloadFiles: false } }), 0);
		expect(noFiles.downloadFiles).toBe(false);
		expect(noFiles.timeoutMs).toBe(TIMING.defaultTimeoutSeconds * 1000);
	});

	it('Download checks once and fetches the files', async () => {
		const plan = await download.plan.call(fakeCtx({ jobId: 'job-9', options: { binaryPropertyName: 'pptx' } }), 0);
		expect(plan).toMatchObject({ jobId: 'job-9', mode: 'download', downloadFiles: true, binaryPropertyName: 'pptx' });
	});
});

describe('Generate plan', () => {
	const base = { outputType: 'single_slide', prompt: '  A slide about Q3  ', waitForCompletion: true, options: {} };

	it('builds the documented body and derives the Idempotency-Key from execution, node, run, item and body', async () => {
		const plan = await generate.plan.call(fakeCtx(base, [{ json: {} }, { json: {} }], 2), 1);
		expect(plan.start?.body).toEqual({ prompt: 'A slide about Q3', output_type: 'single_slide' });
		expect(plan.start?.idempotencyKey).toBe(
			defaultIdempotencyKey({
				host: 'n8n',
				executionId: 'exec-77',
				nodeId: 'node-id-7',
				runIndex: 2,
				itemIndex: 1,
				body: { prompt: 'A slide about Q3', output_type: 'single_slide' },
			}),
		);
		expect(plan).toMatchObject({ itemIndex: 1, mode: 'wait', downloadFiles: true, timeoutMs: TIMING.defaultTimeoutSeconds * 1000 });
	});

	it("as an AI agent's tool, the same request is the same job whichever call (run index) sends it", async () => {
		const call = async (runIndex: number, prompt = 'A slide about Q3') =>
			(await generate.plan.call(fakeCtx({ ...base, prompt }, [{ json: {} }], runIndex, true), 0)).start!;
		const [first, retried, other] = [await call(3), await call(4), await call(4, 'Another slide')];
		expect(retried.idempotencyKey).toBe(first.idempotencyKey);
		expect(retried.slot).toBe(first.slot);
		expect(other.idempotencyKey).not.toBe(first.idempotencyKey);
		expect(other.slot).not.toBe(first.slot);
		// Another execution (an MCP client's repeated tools/call, the next chat message) is the same
		// job too: the tool call's key does not depend on the execution.
		const elsewhere = (await generate.plan.call(fakeCtx(base, [{ json: {} }], 0, true, 'exec-78'), 0)).start!;
		expect(elsewhere.idempotencyKey).toBe(first.idempotencyKey);
		expect(first.idempotencyKey).toMatch(/^n8n-tool-/);
		// Outside tool mode, another run of the node (a loop) is another request.
		const inLoop = (await generate.plan.call(fakeCtx(base, [{ json: {} }], 4), 0)).start!;
		expect(inLoop.idempotencyKey).not.toBe((await generate.plan.call(fakeCtx(base, [{ json: {} }], 3), 0)).start!.idempotencyKey);
	});

	it("a Retry from the executions list derives the key of the execution it retries (n8n 2.x's retryOf)", async () => {
		const original = (await generate.plan.call(fakeCtx(base), 0)).start!.idempotencyKey; // execution exec-77
		const retryCtx = (retryOf: unknown, mode = 'retry') =>
			Object.assign(fakeCtx(base), { getExecutionId: () => 'exec-90', getMode: () => mode, additionalData: { hooks: { retryOf } } });
		expect((await generate.plan.call(retryCtx('exec-77'), 0)).start!.idempotencyKey).toBe(original);
		// Without what it needs (1.x, another mode, no id), the run's own execution id decides.
		const own = defaultIdempotencyKey({
			host: 'n8n',
			executionId: 'exec-90',
			nodeId: 'node-id-7',
			runIndex: 0,
			itemIndex: 0,
			body: { prompt: 'A slide about Q3', output_type: 'single_slide' },
		});
		expect((await generate.plan.call(retryCtx(undefined), 0)).start!.idempotencyKey).toBe(own);
		expect((await generate.plan.call(retryCtx('exec-77', 'webhook'), 0)).start!.idempotencyKey).toBe(own);
		expect((await generate.plan.call(retryCtx(''), 0)).start!.idempotencyKey).toBe(own);
	});

	it('sends the options only when set', async () => {
		const plan = await generate.plan.call(
			fakeCtx({
				...base,
				options: { templateName: ' Board ', variantCount: 3, useWebSearch: true, useKnowledgeBase: false, idempotencyKey: ' my-key ' },
			}),
			0,
		);
		expect(plan.start).toEqual({
			body: { prompt: 'A slide about Q3', output_type: 'single_slide', template_name: 'Board', variant_count: 3, use_web_search: true },
			idempotencyKey: 'my-key',
			keySetByUser: true,
			slot: '0:0',
			request: expect.stringMatching(/^[0-9a-f]{32}$/),
		});
	});

	it('returns at once when not waiting', async () => {
		const plan = await generate.plan.call(fakeCtx({ ...base, waitForCompletion: false }), 0);
		expect(plan.mode).toBe('start-only');
	});

	it('reads reference images from binary fields as base64', async () => {
		const items: INodeExecutionData[] = [
			{ json: {}, binary: { logo: { data: PNG.toString('base64'), mimeType: 'IMAGE/PNG', fileName: 'logo.png' } } },
		];
		const plan = await generate.plan.call(fakeCtx({ ...base, options: { referenceImages: 'logo' } }, items), 0);
		expect(plan.start?.body.reference_images).toEqual([{ data: PNG.toString('base64'), mime_type: 'image/png' }]);
	});

	it('refuses a reference that is missing or not an image, naming the field', async () => {
		const items: INodeExecutionData[] = [
			{ json: {}, binary: { doc: { data: 'eA==', mimeType: 'application/pdf', fileName: 'a.pdf' } } },
		];
		const missing = await rejected(generate.plan.call(fakeCtx({ ...base, options: { referenceImages: 'logo' } }, items), 0));
		expect(missing.message).toContain('"logo"');
		expect(missing.description).toContain('doc');
		const notImage = await rejected(generate.plan.call(fakeCtx({ ...base, options: { referenceImages: 'doc' } }, items), 0));
		expect(notImage.message).toContain('application/pdf');
	});

	it.each<[IDataObject, RegExp]>([
		[{ prompt: '   ' }, /Prompt is empty on item 0/],
		[{ outputType: 'poster' }, /Output Type "poster" is not supported/],
		[{ outputType: 'deck', options: { variantCount: 2 } }, /single slides only/],
		[{ outputType: 'deck', options: { referenceImages: 'logo' } }, /single slides only/],
		[{ options: { variantCount: 0 } }, /Variant Count must be a whole number/],
		[{ options: { variantCount: 1.5 } }, /Variant Count must be a whole number/],
		[{ options: { timeoutSeconds: 0 } }, /Timeout \(Seconds\) must be a positive number/],
	])('refuses %j before any request', async (change, message) => {
		const error = await rejected(generate.plan.call(fakeCtx({ ...base, ...change }), 0));
		expect(error.message).toMatch(message);
		expect(error.context.itemIndex).toBe(0);
	});

	it('a deck with Variant Count 1 sends no variant_count', async () => {
		const plan = await generate.plan.call(fakeCtx({ ...base, outputType: 'deck', options: { variantCount: 1 } }), 0);
		expect(plan.start?.body).toEqual({ prompt: 'A slide about Q3', output_type: 'deck' });
	});
});
