/**
 * Idempotency-Keys: the default one of a generate request, the one after a failed job, and keys
 * set by the user on several items.
 *
 * The default key is derived from what identifies "this request of this run": the run (n8n's
 * execution), the node, the node's run index (a loop may send the same prompt on purpose), the
 * item and the body. So the node's own retries, and a re-run of the same run (Retry On Fail, a
 * queue-mode worker that died), send the same key and get the same job back instead of a second,
 * paid one; a new run sends a new key. Retries that get a new run id (n8n's executions list
 * Retry) find the key in the job ledger (jobs/ledger.ts) instead.
 *
 * A derived key is `<host tag>-<hex>` (`n8n-…`); any other key is the user's own.
 */
import { randomUUID } from 'crypto';

import { sha256 } from '../hash';
import { canonicalJson, type JsonObject } from '../json';

export interface IdempotencyParts {
	/** The host's tag, the key's prefix ("n8n"): derived keys of two hosts never meet. */
	host: string;
	/** Missing outside a saved run: the key is then this run's alone (never shared). */
	executionId: string | undefined;
	nodeId: string;
	runIndex: number;
	itemIndex: number;
	body: JsonObject;
}

export function defaultIdempotencyKey(parts: IdempotencyParts): string {
	// Without a run id, two runs must not share a key: a one-off id stands in for it.
	const execution = parts.executionId ? `execution:${parts.executionId}` : `one-off:${randomUUID()}`;
	const digest = sha256(
		[execution, parts.nodeId, String(parts.runIndex), String(parts.itemIndex), canonicalJson(parts.body)].join('\n'),
	);
	return `${parts.host}-${digest.slice(0, 48)}`;
}

/** What a request asks for, in short: tells "the same request again" from a changed one. */
export function requestDigest(body: JsonObject): string {
	return sha256(canonicalJson(body)).slice(0, 32);
}

/** The host tag of a derived key (`n8n-<hex>`, `n8n-tool-<hex>`), or undefined for a user's key. */
function derivedKeyTag(key: string): string | undefined {
	return /^([a-z0-9]+)-(?:tool-)?[0-9a-f]{32,}$/.exec(key)?.[1];
}

/**
 * The key for a new job once the job started under `key` is known to have failed. Every retry
 * of that one failure derives the same key, so two retries of it start one new job, not two.
 */
export function keyAfterFailedJob(key: string, failedJobId: string): string {
	const digest = sha256(`${key}\nafter failed job ${failedJobId}`);
	// A default key stays a default key; a user's key stays recognisable in the API's logs.
	const tag = derivedKeyTag(key);
	return tag ? `${tag}-${digest.slice(0, 48)}` : `${key.slice(0, 176)}~retry-${digest.slice(0, 16)}`;
}

/**
 * A key set by the user names one item's request. When several items of a run get the same key
 * (a fixed text rather than an expression per item), each gets its position appended
 * (`weekly-2026-48-item-2`), so different prompts do not conflict and equal ones do not merge.
 */
export function keysPerItem(keys: ReadonlyArray<{ itemIndex: number; key: string }>): Map<number, string> {
	const uses = new Map<string, number>();
	for (const { key } of keys) uses.set(key, (uses.get(key) ?? 0) + 1);
	return new Map(keys.map(({ itemIndex, key }) => [itemIndex, uses.get(key)! > 1 ? `${key}-item-${itemIndex + 1}` : key]));
}
