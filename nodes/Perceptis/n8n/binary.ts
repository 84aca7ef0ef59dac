/**
 * Downloaded files → n8n binary data, through n8n's own helper (it stores the data the way the
 * instance is configured: memory, database, filesystem or S3, and so works in queue mode). Each
 * file is stored as soon as it arrives, streamed where the mode allows, so a run of many jobs
 * never holds their files in memory.
 */
import type { IBinaryData, IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';

import type { DownloadedFile, FileSink } from '../../../core/jobs/plan';
import type { JobTask } from '../../../core/jobs/task';

type StoredFile = DownloadedFile<IBinaryData>;
/** A job task of the n8n node: its files are kept as n8n binary data. */
export type N8nTask = JobTask<IBinaryData>;
type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** `data`, then `data_1`, `data_2`, …: file n of a job (0-based) goes to the field with suffix n. */
export function binaryPropertyFor(baseName: string, index: number): string {
	return index === 0 ? baseName : `${baseName}_${index}`;
}

/**
 * The sink the job tasks hand each checked download to. A file that was still arriving when the
 * user pressed Stop is not a success, even if its last bytes made it.
 */
export function binaryDataSink(ctx: IExecuteFunctions, stop: AbortSignal | undefined): FileSink<IBinaryData> {
	return async (content, fileName, mimeType) => {
		// A stream here is the Readable n8n's own request helper handed out (n8n/http.ts).
		const stored = await ctx.helpers.prepareBinaryData(content as BinaryInput, fileName, mimeType);
		if (stop?.aborted) throw new Error('ERR_CANCELED: the execution was stopped while the file arrived');
		return stored;
	};
}

/** A job's stored files on an output item: `data`, `data_1`, … */
export function filesToBinary(files: StoredFile[], baseProperty: string): IBinaryKeyData {
	const binary: IBinaryKeyData = {};
	for (const file of files) binary[binaryPropertyFor(baseProperty, file.index)] = file.stored;
	return binary;
}
