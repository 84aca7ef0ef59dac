import type { IdempotencyParts } from '../../../core/keys/idempotency';
import { canonicalJson } from '../../../core/json';
import {
	defaultIdempotencyKey,
	keyAfterFailedJob,
	keysPerItem,
	requestDigest,
} from '../../../core/keys/idempotency';

const BASE: IdempotencyParts = {
	host: 'n8n',
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

describe('a missing execution id', () => {
	it('never makes two runs share a key', () => {
		expect(key({ executionId: undefined })).not.toBe(key({ executionId: undefined }));
		expect(key({ executionId: '' })).not.toBe(key({ executionId: '' }));
	});

	it('is not mistaken for an execution whose id reads "undefined"', () => {
		expect(key({ executionId: undefined })).not.toBe(key({ executionId: 'undefined' }));
	});
});

describe('keyAfterFailedJob', () => {
	it('is the same for every retry of one failure, and differs per failed job', () => {
		const first = key();
		expect(keyAfterFailedJob(first, 'job-1')).toBe(keyAfterFailedJob(first, 'job-1'));
		expect(keyAfterFailedJob(first, 'job-1')).not.toBe(keyAfterFailedJob(first, 'job-2'));
		expect(keyAfterFailedJob(first, 'job-1')).not.toBe(first);
	});

	it('keeps a default key in its form, and a user key recognisable and bounded', () => {
		expect(keyAfterFailedJob(key(), 'job-1')).toMatch(/^n8n-[0-9a-f]{48}$/);
		expect(keyAfterFailedJob('weekly-2026-48', 'job-1')).toMatch(/^weekly-2026-48~retry-[0-9a-f]{16}$/);
		expect(keyAfterFailedJob('k'.repeat(500), 'job-1').length).toBeLessThanOrEqual(200);
	});

	it('chains: the retry of the retry gets another key again', () => {
		const once = keyAfterFailedJob('weekly', 'job-1');
		expect(keyAfterFailedJob(once, 'job-2')).not.toBe(once);
	});
});

describe('keysPerItem (a key set by the user names one item)', () => {
	it('leaves keys that already differ per item as they are', () => {
		const keys = keysPerItem([
			{ itemIndex: 0, key: 'deck-a' },
			{ itemIndex: 1, key: 'deck-b' },
		]);
		expect([...keys.values()]).toEqual(['deck-a', 'deck-b']);
	});

	it('gives items that share a key their position, so none conflict or merge', () => {
		const keys = keysPerItem([
			{ itemIndex: 0, key: 'weekly-2026-48' },
			{ itemIndex: 1, key: 'weekly-2026-48' },
			{ itemIndex: 2, key: 'other' },
		]);
		expect(Object.fromEntries(keys)).toEqual({ 0: 'weekly-2026-48-item-1', 1: 'weekly-2026-48-item-2', 2: 'other' });
	});

	it('a single item keeps the key exactly as set', () => {
		expect(keysPerItem([{ itemIndex: 0, key: 'weekly-2026-48' }]).get(0)).toBe('weekly-2026-48');
	});
});

describe('requestDigest', () => {
	it('tells a changed request from the same one', () => {
		expect(requestDigest(BASE.body)).toBe(requestDigest(JSON.parse(JSON.stringify(BASE.body)) as IdempotencyParts['body']));
		expect(requestDigest({ ...BASE.body, prompt: 'another' })).not.toBe(requestDigest(BASE.body));
	});
});
