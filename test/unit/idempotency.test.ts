import type { IdempotencyParts } from '../../nodes/Perceptis/helpers/idempotency';
import { canonicalJson, defaultIdempotencyKey } from '../../nodes/Perceptis/helpers/idempotency';

const BASE: IdempotencyParts = {
	executionId: '1042',
	nodeId: '9b1f6c1e-0d1a-4b7e-a1f3-2c6f0e8d9a11',
	runIndex: 0,
	itemIndex: 2,
	body: {
		prompt: 'Confidential: Q3 revenue by region for ACME Corp',
		output_type: 'single_slide',
		template_name: 'Board Template',
		variant_count: 3,
		reference_images: [{ data: 'aGVsbG8gd29ybGQ=', mime_type: 'image/png' }],
	},
};

const key = (changes: Partial<IdempotencyParts> = {}) => defaultIdempotencyKey({ ...BASE, ...changes });

describe('defaultIdempotencyKey', () => {
	it('is the same for the same parts (retries send the same key)', () => {
		expect(key()).toBe(key());
		expect(key()).toBe(defaultIdempotencyKey(JSON.parse(JSON.stringify(BASE)) as IdempotencyParts));
	});

	it('has a fixed, header-safe form', () => {
		expect(key()).toMatch(/^n8n-[0-9a-f]{48}$/);
	});

	it.each<[string, Partial<IdempotencyParts>]>([
		['execution id', { executionId: '1043' }],
		['node id', { nodeId: 'another-node' }],
		['run index', { runIndex: 1 }],
		['item index', { itemIndex: 3 }],
		['prompt', { body: { ...BASE.body, prompt: 'Confidential: Q4 revenue by region for ACME Corp' } }],
		['output type', { body: { ...BASE.body, output_type: 'deck' } }],
		['added field', { body: { ...BASE.body, use_web_search: true } }],
		['removed field', { body: { ...BASE.body, template_name: undefined } }],
		['number field', { body: { ...BASE.body, variant_count: 4 } }],
		[
			'nested field',
			{ body: { ...BASE.body, reference_images: [{ data: 'aGVsbG8gd29ybGQ=', mime_type: 'image/jpeg' }] } },
		],
		[
			'nested array order',
			{
				body: {
					...BASE.body,
					reference_images: [
						{ data: 'b', mime_type: 'image/png' },
						{ data: 'a', mime_type: 'image/png' },
					],
				},
			},
		],
	])('changes when the %s changes', (_what, changes) => {
		expect(key(changes)).not.toBe(key());
	});

	it('tells apart array elements in a different order', () => {
		const a = { ...BASE.body, reference_images: [{ data: 'a' }, { data: 'b' }] };
		const b = { ...BASE.body, reference_images: [{ data: 'b' }, { data: 'a' }] };
		expect(key({ body: a })).not.toBe(key({ body: b }));
	});

	it('does not depend on the key order of the body (also nested)', () => {
		const reordered = {
			reference_images: [{ mime_type: 'image/png', data: 'aGVsbG8gd29ybGQ=' }],
			variant_count: 3,
			template_name: 'Board Template',
			output_type: 'single_slide',
			prompt: 'Confidential: Q3 revenue by region for ACME Corp',
		};
		expect(key({ body: reordered })).toBe(key());
	});

	it('ignores fields whose value is undefined (they are not sent)', () => {
		expect(key({ body: { ...BASE.body, use_web_search: undefined } })).toBe(key());
	});

	it('holds no body content in clear', () => {
		const k = key();
		for (const fragment of ['Confidential', 'ACME', 'revenue', 'Board', 'single_slide', 'aGVsbG8', 'image/png', '1042']) {
			expect(k).not.toContain(fragment);
		}
		expect(k.length).toBe(52);
	});
});

describe('canonicalJson', () => {
	it('sorts keys at every level and keeps array order', () => {
		expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
	});

	it('writes scalars as JSON', () => {
		expect(canonicalJson('x')).toBe('"x"');
		expect(canonicalJson(null)).toBe('null');
		expect(canonicalJson(undefined)).toBe('null');
		expect(canonicalJson(true)).toBe('true');
		expect(canonicalJson([])).toBe('[]');
		expect(canonicalJson({})).toBe('{}');
	});
});
