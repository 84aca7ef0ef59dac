/**
 * The default Idempotency-Key for a generate request.
 *
 * It is derived from what identifies "this request of this run": the execution, the node, the
 * node's run index (a loop may send the same prompt on purpose), the item index and the body. So
 * the node's own retries and n8n's "Retry On Fail" send the same key and get the same job back
 * instead of a second, paid one; a new execution sends a new key.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

export interface IdempotencyParts {
	executionId: string;
	nodeId: string;
	runIndex: number;
	itemIndex: number;
	body: IDataObject;
}

/** JSON with sorted keys, so the same body always hashes the same. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.keys(value as IDataObject)
			.sort()
			.filter((key) => (value as IDataObject)[key] !== undefined)
			.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as IDataObject)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export function defaultIdempotencyKey(parts: IdempotencyParts): string {
	const digest = createHash('sha256')
		.update(
			[parts.executionId, parts.nodeId, String(parts.runIndex), String(parts.itemIndex), canonicalJson(parts.body)].join(
				'\n',
			),
		)
		.digest('hex');
	return `n8n-${digest.slice(0, 48)}`;
}
