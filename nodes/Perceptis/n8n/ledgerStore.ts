/**
 * The job ledger (core/jobs/ledger.ts) in n8n's node context. n8n keeps that context in the
 * execution's data: Retry On Fail runs the node again in the same execution, and the executions
 * list's Retry copies the failed execution's data into the new one, so a retry finds the jobs
 * its first run started. A re-run that finds no ledger (a queue-mode worker that died before n8n
 * saved anything) gets the same job back through the same default key, which the execution id
 * decides (core/keys/idempotency.ts).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { JobLedger, type LedgerEntry } from '../../../core/jobs/ledger';
import type { RecordStore } from '../../../core/ports';

/** Where the node context keeps the ledger. */
const LEDGER_FIELD = 'perceptisJobs';

/** A store over n8n's node context (`getContext('node')`, or any object in tests). */
export function nodeContextStore(context: IDataObject): RecordStore<LedgerEntry> {
	if (typeof context[LEDGER_FIELD] !== 'object' || context[LEDGER_FIELD] === null) context[LEDGER_FIELD] = {};
	const entries = context[LEDGER_FIELD] as Record<string, LedgerEntry>;
	return {
		get: (slot) => entries[slot],
		set: (slot, entry) => {
			entries[slot] = entry;
		},
	};
}

/** The ledger of the running node; a context without node context (tests) gets a fresh one. */
export function ledgerOf(ctx: IExecuteFunctions): JobLedger {
	return new JobLedger(nodeContextStore((ctx.getContext?.('node') as IDataObject | undefined) ?? {}));
}
