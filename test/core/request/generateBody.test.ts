/** The generate request's rules, host-free: the body in the API's names, or the first problem. */
import { generateBody, isReferenceImageType } from '../../../core/request/generateBody';

describe('generateBody', () => {
	it('builds the documented body, trimmed, with only what was asked', () => {
		expect(generateBody({ outputType: 'deck', prompt: '  Board update  ' })).toEqual({ body: { prompt: 'Board update', output_type: 'deck' } });
		expect(
			generateBody({
				outputType: 'single_slide',
				prompt: 'x',
				templateName: ' Sales ',
				variantCount: 3,
				useWebSearch: true,
				useKnowledgeBase: false,
			}),
		).toEqual({ body: { prompt: 'x', output_type: 'single_slide', template_name: 'Sales', variant_count: 3, use_web_search: true } });
	});

	it('sends no variant_count for a deck with the default of one', () => {
		expect(generateBody({ outputType: 'deck', prompt: 'x', variantCount: 1 })).toEqual({ body: { prompt: 'x', output_type: 'deck' } });
	});

	it.each<[string, Parameters<typeof generateBody>[0], unknown]>([
		['an unknown output type', { outputType: 'poster', prompt: 'x' }, { kind: 'unknown_output_type', value: 'poster' }],
		['a missing output type', { outputType: undefined, prompt: 'x' }, { kind: 'unknown_output_type', value: undefined }],
		['an empty prompt', { outputType: 'deck', prompt: '   ' }, { kind: 'empty_prompt' }],
		['a prompt that is not text', { outputType: 'deck', prompt: 42 }, { kind: 'empty_prompt' }],
		['a variant count of 0', { outputType: 'single_slide', prompt: 'x', variantCount: 0 }, { kind: 'bad_variant_count', value: 0 }],
		['a fractional variant count', { outputType: 'single_slide', prompt: 'x', variantCount: 1.5 }, { kind: 'bad_variant_count', value: 1.5 }],
		['variants with a deck', { outputType: 'deck', prompt: 'x', variantCount: 3 }, { kind: 'variants_on_deck', value: 3 }],
		['reference images with a deck', { outputType: 'deck', prompt: 'x', wantsReferenceImages: true }, { kind: 'references_on_deck' }],
	])('refuses %s, naming it', (_name, input, problem) => {
		expect(generateBody(input)).toEqual({ problem });
	});

	it('takes PNG, JPEG, GIF and WebP references, nothing else', () => {
		for (const type of ['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'IMAGE/PNG']) expect(isReferenceImageType(type)).toBe(true);
		for (const type of ['application/pdf', 'image/svg+xml', '', undefined]) expect(isReferenceImageType(type)).toBe(false);
	});
});
