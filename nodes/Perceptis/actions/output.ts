/**
 * The output items of a run: a job's result (one item, or one item per file), and the Continue
 * On Fail item of a failure. Every item is paired to its input item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { filesToBinary } from '../n8n/binary';
import type { N8nTask } from '../n8n/binary';
import { fileJson, jobJson } from '../../../core/jobs/jobJson';
import type { JsonObject } from '../../../core/json';

type ItemError = NodeApiError | NodeOperationError;

/** Where a finished job's items go: one of the operation's outputs. */
export interface Placed {
	output: number;
	items: INodeExecutionData[];
}

/**
 * The Continue On Fail item: what failed, and the job id whenever a job exists. `code` is the
 * API's own code where it gave one (what Perceptis asks users to branch on), `kind` the node's
 * name for what went wrong.
 *
 * With "continue (regular output)" the item keeps the usual shape, `{jobId, status, error}`.
 * With "continue (using error output)" n8n sends an item to the error output only when its JSON
 * has nothing but `error` (and `message`, `details`); setting the item's own `error` would make
 * n8n replace the JSON with the bare message and lose the job id. So there the job id and status
 * go inside `error`.
 */
export function errorItem(ctx: IExecuteFunctions, itemIndex: number, error: ItemError, status?: string): INodeExecutionData {
	const jobId = error.context?.jobId as string | undefined;
	const httpCode = error instanceof NodeApiError ? error.httpCode : undefined;
	const kind = (error.context?.failureKind as string | undefined) ?? 'invalid_parameter';
	const details: IDataObject = {
		code: (error.context?.apiCode as string | undefined) ?? kind,
		kind,
		message: error.message,
		...(error.description ? { description: error.description } : {}),
		...(httpCode ? { httpCode } : {}),
	};
	const lastStatus = status ?? (jobId ? 'unknown' : 'not_started');
	const json: IDataObject =
		ctx.getNode().onError === 'continueErrorOutput'
			? { error: { ...details, ...(jobId ? { jobId } : {}), status: lastStatus } }
			: { ...(jobId ? { jobId } : {}), status: lastStatus, error: details };
	return { json, pairedItem: { item: itemIndex } };
}

/** The API's answer is parsed JSON: every value is one n8n can carry. */
const asItemJson = (json: JsonObject) => json as IDataObject;

/**
 * The output of a finished job: one item with all its files (`data`, `data_1`, …), or, when the
 * user asked for one item per file, one item per file with the file in the named field itself,
 * for nodes that send or upload one file per item.
 */
export function jobItems(task: N8nTask): INodeExecutionData[] {
	const pairedItem = { item: task.plan.itemIndex };
	const json = asItemJson(jobJson(task));
	const property = task.plan.binaryPropertyName;
	if (!task.plan.itemPerFile || task.files.length === 0) {
		const item: INodeExecutionData = { json, pairedItem };
		if (task.files.length) item.binary = filesToBinary(task.files, property);
		return [item];
	}
	return task.files.map((file) => ({
		json: asItemJson(fileJson(json, file, task.files.length)),
		binary: filesToBinary([{ ...file, index: 0 }], property),
		pairedItem,
	}));
}
