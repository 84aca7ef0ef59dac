/**
 * A job as every host's output shows it: n8n's output item and Node-RED's `msg.perceptis` carry
 * the same fields under the same names, so a flow built on one host reads the other's.
 *
 * The n8n adapter (nodes/Perceptis/actions/output.ts) and the Node-RED one both build their
 * output from these, so the shape is written once.
 */
import type { DownloadedFile } from './plan';
import type { JobTask } from './task';
import { linksMarker } from '../files/links';
import { pollToJson } from '../pacing/pollState';
import type { JsonObject } from '../json';

/** The job as the API last described it, under stable names: `jobId`, `status`, the rest as sent. */
export function jobJson<Stored>(task: JobTask<Stored>): JsonObject {
	const snapshot = task.snapshot!;
	const rest: JsonObject = { ...snapshot.raw };
	for (const key of ['job_id', 'jobId', 'id']) {
		if (String(rest[key]) === snapshot.jobId) delete rest[key];
	}
	delete rest.status;
	const json: JsonObject = { jobId: snapshot.jobId, status: snapshot.status, ...rest };
	if (snapshot.downloads.length) {
		json.downloads = snapshot.downloads;
		if (task.linksFetchedAt !== undefined) json.downloadLinks = linksMarker(task.linksFetchedAt);
	}
	if (snapshot.error) json.error = snapshot.error;
	if (task.plan.start) json.idempotencyKey = task.plan.start.idempotencyKey;
	// Where the checking of the job stands: the next node or retry to ask about it plans from it.
	if (Number.isFinite(task.pollState.lastContactAt)) json.poll = pollToJson(task.pollState);
	// A retry: the job came from an earlier run of this request, or replaced its failed jobs.
	if (task.wasPickedUp) json.pickedUp = true;
	if (task.failedJobIds.length) json.replacedFailedJobs = [...task.failedJobIds];
	return json;
}

/**
 * One file of a job, for an output that carries one file each (n8n's item per file, Node-RED's
 * message per file): the job's fields, with the file's own download entry instead of the list.
 */
export function fileJson<Stored>(job: JsonObject, file: DownloadedFile<Stored>, fileCount: number): JsonObject {
	const { downloads, ...jobFields } = job;
	return {
		...jobFields,
		fileIndex: file.index,
		fileCount,
		fileName: file.fileName,
		download: (downloads as JsonObject[] | undefined)?.[file.index] ?? file.entry,
	};
}
