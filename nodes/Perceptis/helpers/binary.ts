/**
 * Downloaded files → n8n binary data, through n8n's own helper (it stores the data the way the
 * instance is configured: memory, filesystem or S3, and so works in queue mode).
 */
import type { IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';

import { binaryPropertyFor } from './files';
import type { DownloadedFile } from './jobTask';

export async function filesToBinary(
	ctx: IExecuteFunctions,
	files: DownloadedFile[],
	baseProperty: string,
): Promise<IBinaryKeyData> {
	const binary: IBinaryKeyData = {};
	for (const file of files) {
		binary[binaryPropertyFor(baseProperty, file.index)] = await ctx.helpers.prepareBinaryData(
			file.data,
			file.fileName,
			file.mimeType,
		);
	}
	return binary;
}
