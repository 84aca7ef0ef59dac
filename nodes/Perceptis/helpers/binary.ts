/**
 * Downloaded files → n8n binary data, through n8n's own helper (it stores the data the way the
 * instance is configured: memory, filesystem or S3, and so works in queue mode).
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { DownloadedFile } from './jobTask';

export const PPTX_MIME_TYPE =
	'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** `data`, then `data_1`, `data_2`, … for the further files of one job. */
export function binaryPropertyFor(baseName: string, index: number): string {
	return index === 0 ? baseName : `${baseName}_${index}`;
}

function safeFileName(name: string): string {
	return name
		.replace(/[/\\?%*:|"<>\x00-\x1f]/g, '-')
		.replace(/\s+/g, ' ')
		.trim();
}

function nameFromApi(entry: IDataObject): string | undefined {
	for (const key of ['file_name', 'filename', 'fileName', 'name']) {
		const value = entry[key];
		if (typeof value === 'string' && value.trim() !== '') {
			const name = safeFileName(value.split(/[/\\]/).pop() ?? '');
			if (name !== '') return /\.pptx$/i.test(name) ? name : `${name}.pptx`;
		}
	}
	return undefined;
}

/** The API's file name when it gives one, else one derived from the job id. */
export function fileNameFor(entry: IDataObject, jobId: string, index: number, count: number): string {
	const fromApi = nameFromApi(entry);
	if (fromApi) return fromApi;
	const base = `perceptis-${safeFileName(jobId).replace(/ /g, '-')}`;
	return count > 1 ? `${base}-${index + 1}.pptx` : `${base}.pptx`;
}

export async function filesToBinary(
	ctx: IExecuteFunctions,
	files: DownloadedFile[],
	jobId: string,
	baseProperty: string,
): Promise<IBinaryKeyData> {
	const binary: IBinaryKeyData = {};
	for (const file of files) {
		const fileName = fileNameFor(file.entry, jobId, file.index, files.length);
		binary[binaryPropertyFor(baseProperty, file.index)] = await ctx.helpers.prepareBinaryData(
			file.data,
			fileName,
			PPTX_MIME_TYPE,
		);
	}
	return binary;
}
