/**
 * The output items of a run: a job's result (one item, or one item per file), and the Continue
 * On Fail item of a failure. Every item is paired to its input item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { filesToBinary } from '../n8n/binary';
import type { N8nTask } from '../n8n/binary';
import { linksMarker } from '../../../core/files/links';
import { pollToJson } from '../../../core/pacing/pollState';

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

/** The job as the API last described it, under stable names: `jobId`, `status`, the rest as sent. */
function jobJson(task: N8nTask): IDataObject {
	const snapshot = task.snapshot!;
	// The API's answer is parsed JSON: every value is one n8n can carry.
	const rest = { ...snapshot.raw } as IDataObject;
	for (const key of ['job_id', 'jobId', 'id']) {
		if (String(rest[key]) === snapshot.jobId) delete rest[key];
	}
	delete rest.status;
	const json: IDataObject = { jobId: snapshot.jobId, status: snapshot.status, ...rest };
	if (snapshot.downloads.length) {
		json.downloads = snapshot.downloads;
		if (task.linksFetchedAt !== undefined) json.downloadLinks = linksMarker(task.linksFetchedAt);
	}
	if (snapshot.error) json.error = snapshot.error;
	if (task.plan.start) json.idempotencyKey = task.plan.start.idempotencyKey;
	// Where the checking of the job stands: the next node or retry to ask about it plans from it.
	if (Number.isFinite(task.pollState.lastContactAt)) json.poll = pollToJson(task.pollState) as IDataObject;
	// A retry: the job came from an earlier run of this request, or replaced its failed jobs.
	if (task.wasPickedUp) json.pickedUp = true;
	if (task.failedJobIds.length) json.replacedFailedJobs = [...task.failedJobIds];
	return json;
}

/**
 * The output of a finished job: one item with all its files (`data`, `data_1`, …), or, when the
 * user asked for one item per file, one item per file with the file in the named field itself,
 * for nodes that send or upload one file per item.
 */
export function jobItems(task: N8nTask): INodeExecutionData[] {
	const pairedItem = { item: task.plan.itemIndex };
	const json = jobJson(task);
	const property = task.plan.binaryPropertyName;
	if (!task.plan.itemPerFile || task.files.length === 0) {
		const item: INodeExecutionData = { json, pairedItem };
		if (task.files.length) item.binary = filesToBinary(task.files, property);
		return [item];
	}
	const { downloads, ...jobFields } = json;
	const items: INodeExecutionData[] = [];
	for (const file of task.files) {
		items.push({
			json: {
				...jobFields,
				fileIndex: file.index,
				fileCount: task.files.length,
				fileName: file.fileName,
				download: (downloads as IDataObject[] | undefined)?.[file.index] ?? file.entry,
			},
			binary: filesToBinary([{ ...file, index: 0 }], property),
			pairedItem,
		});
	}
	return items;
}
