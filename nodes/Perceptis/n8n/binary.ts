/**
 * Downloaded files → n8n binary data, through n8n's own helper (it stores the data the way the
 * instance is configured: memory, database, filesystem or S3, and so works in queue mode). Each
 * file is stored as soon as it arrives, streamed where the mode allows, so a run of many jobs
 * never holds their files in memory.
 */
import type { IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';

import { binaryPropertyFor } from './files';
import type { DownloadedFile, FileSink } from './jobTask';

/**
 * The sink the job tasks hand each checked download to. A file that was still arriving when the
 * user pressed Stop is not a success, even if its last bytes made it.
 */
export function binaryDataSink(ctx: IExecuteFunctions, stop: AbortSignal | undefined): FileSink {
	return async (content, fileName, mimeType) => {
		const stored = await ctx.helpers.prepareBinaryData(content, fileName, mimeType);
		if (stop?.aborted) throw new Error('ERR_CANCELED: the execution was stopped while the file arrived');
		return stored;
	};
}

/** A job's stored files on an output item: `data`, `data_1`, … */
export function filesToBinary(files: DownloadedFile[], baseProperty: string): IBinaryKeyData {
	const binary: IBinaryKeyData = {};
	for (const file of files) binary[binaryPropertyFor(baseProperty, file.index)] = file.stored;
	return binary;
}
