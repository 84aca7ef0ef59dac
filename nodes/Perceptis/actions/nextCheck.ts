/**
 * When a loop through n8n's Wait node should look at its still-running jobs again:
 * `nextCheckInSeconds` (and `nextCheckAt`) on their items, from the core's parking rules
 * (core/pacing/parking.ts). n8n's Wait node reads its amount from the first item only, so all
 * the items of one run carry one value: the earliest due among them. Generate (when it does not
 * wait) and Check Status (Still Running) both hand it on.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { parkedCheckAt } from '../../../core/pacing/parking';
import type { N8nTask } from '../n8n/binary';

/** n8n's Wait node parks an execution (and frees its worker) only for a wait of this many seconds or more. */
export const PARK_THRESHOLD_SECONDS = 65;

/** The job's kind, from the API's answer or the item that came in: it decides when a job may first be done. */
function outputTypeOf(ctx: IExecuteFunctions, task: N8nTask): string | undefined {
	const incoming = ctx.getInputData()[task.plan.itemIndex]?.json ?? {};
	const kind = task.plan.start?.body.output_type ?? task.snapshot?.raw.output_type ?? incoming.output_type ?? incoming.outputType;
	return typeof kind === 'string' ? kind : undefined;
}

export interface Waiting {
	task: N8nTask;
	items: INodeExecutionData[];
	/** The shortest wait this item's loop may take. */
	minWaitMs: number;
}

/** Puts the run's one next check on the items of its still-running jobs. */
export function stampNextCheck(ctx: IExecuteFunctions, waiting: Waiting[]): void {
	if (waiting.length === 0) return;
	const now = Date.now();
	const due = Math.min(
		...waiting.map(({ task, minWaitMs }) => parkedCheckAt(task.pollState, { minWaitMs, outputType: outputTypeOf(ctx, task), now })),
	);
	const nextCheckInSeconds = Math.ceil((due - now) / 1000);
	const nextCheckAt = new Date(now + nextCheckInSeconds * 1000).toISOString();
	for (const { items } of waiting) {
		for (const item of items) Object.assign(item.json, { nextCheckInSeconds, nextCheckAt });
	}
}
