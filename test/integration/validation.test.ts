/**
 * Bad input is rejected before any request, naming the field, the value and the fix.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { useFastSimulator, runPerceptis } from './runNode';

const sim = useFastSimulator();

const pdfItem: INodeExecutionData = {
	json: {},
	binary: { doc: { data: Buffer.from('%PDF-1.4').toString('base64'), mimeType: 'application/pdf' } },
};

// Every row has all five columns: jest reads a test function with more parameters than the row
// has columns as one that takes a `done` callback.
const cases: Array<[string, IDataObject, RegExp, RegExp, INodeExecutionData[] | undefined]> = [
	['an empty prompt', { operation: 'generate', outputType: 'deck', prompt: '   ' }, /^Prompt is empty on item 0$/, /Prompt/, undefined],
	['an unknown output type', { operation: 'generate', outputType: 'poster', prompt: 'x' }, /Output Type "poster"/, /single_slide.*deck/, undefined],
	['a variant count of 0', { operation: 'generate', outputType: 'single_slide', prompt: 'x', options: { variantCount: 0 } }, /Variant Count .* not "0"/, /1 or more/, undefined],
	['a fractional variant count', { operation: 'generate', outputType: 'single_slide', prompt: 'x', options: { variantCount: 1.5 } }, /not "1.5"/, /1 or more/, undefined],
	['variants with a deck', { operation: 'generate', outputType: 'deck', prompt: 'x', options: { variantCount: 3 } }, /Variant Count \(3\) applies to single slides only/, /Single Slide/, undefined],
	['reference images with a deck', { operation: 'generate', outputType: 'deck', prompt: 'x', options: { referenceImages: 'logo' } }, /Reference Images apply to single slides only/, /Single Slide/, undefined],
	['a missing binary field', { operation: 'generate', outputType: 'single_slide', prompt: 'x', options: { referenceImages: 'logo' } }, /"logo", which item 0 does not have/, /doc/, [pdfItem]],
	['a binary field that is not an image', { operation: 'generate', outputType: 'single_slide', prompt: 'x', options: { referenceImages: 'doc' } }, /"doc" is "application\/pdf", not an image/, /PNG, JPEG/, [pdfItem]],
	['an empty job id', { operation: 'waitForCompletion', jobId: ' ' }, /^Job ID is empty on item 0$/, /Generate/, undefined],
	['a missing job id (default expression, no jobId on the item)', { operation: 'getStatus' }, /^Job ID is empty/, /\$json\.jobId/, undefined],
	['a timeout of 0', { operation: 'waitForCompletion', jobId: 'j1', options: { timeoutSeconds: 0 } }, /Timeout \(Seconds\) must be a positive number, not "0"/, /Timeout/, undefined],
];

describe('validation before any request', () => {
	it.each(cases)('rejects %s', async (_name, parameters, message, remedy, items) => {
		const { error } = await runPerceptis(sim, parameters, { items });
		expect(error).toBeDefined();
		expect(error!.message).toMatch(message);
		expect(error!.description).toMatch(remedy);
		expect(sim.requests).toHaveLength(0);
	});

	it('checks every item before starting any job', async () => {
		const prompts = ['fine', 'also fine', ''];
		const { error } = await runPerceptis(sim, (i) => ({ operation: 'generate', outputType: 'deck', prompt: prompts[i] }), {
			items: prompts.map(() => ({ json: {} })),
		});
		expect(error!.message).toBe('Prompt is empty on item 2');
		expect(sim.requests).toHaveLength(0);
	});

	it('with Continue On Fail, a bad item becomes an error item and the others run', async () => {
		const prompts = ['fine', ''];
		const { items } = await runPerceptis(sim, (i) => ({ operation: 'generate', outputType: 'deck', prompt: prompts[i] }), {
			items: prompts.map(() => ({ json: {} })),
			continueOnFail: true,
		});
		expect(items[0].json.status).toBe('completed');
		expect(items[1].json).toMatchObject({ status: 'not_started', error: { code: 'invalid_parameter', message: 'Prompt is empty on item 1' } });
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});
});
