/**
 * Which execution a Retry from the executions list retries.
 *
 * n8n hands a node the retry's own (new) execution id, not the one it retries. Usually the job
 * ledger (jobLedger.ts) bridges that: the retry carries the failed execution's data. But when n8n
 * itself died mid-wait (the process killed, the machine restarted), the execution is "crashed"
 * and its data holds nothing of the node's run; the retry then only finds the job again if it
 * derives the same default Idempotency-Key — from the id of the execution it retries. n8n 2.x
 * keeps that id on the run's lifecycle hooks (`additionalData.hooks.retryOf`), which is not part
 * of the node API: it is read when present and ignored otherwise (n8n 1.x keeps it elsewhere).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

interface RunInternals {
	additionalData?: { hooks?: { retryOf?: unknown } };
}

export function retriedExecutionId(ctx: IExecuteFunctions): string | undefined {
	if (ctx.getMode?.() !== 'retry') return undefined;
	const retryOf = (ctx as unknown as RunInternals).additionalData?.hooks?.retryOf;
	return typeof retryOf === 'string' && retryOf !== '' ? retryOf : undefined;
}
