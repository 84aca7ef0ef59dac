/**
 * Download: fetch fresh links for a completed job and return its files as binary data.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOption,
	jobIdProperty,
	optionsCollection,
	readBinaryPropertyName,
	readJobId,
	readOptions,
} from './common';
import type { JobPlan } from '../helpers/jobTask';
import { TIMING } from '../helpers/timing';

export const description: INodeProperties[] = [
	jobIdProperty(['download']),
	optionsCollection('download', [binaryPropertyOption]),
];

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const options = readOptions(this, itemIndex);
	return {
		itemIndex,
		jobId: readJobId(this, itemIndex),
		mode: 'download',
		downloadFiles: true,
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: readBinaryPropertyName(this, itemIndex, options),
	};
}
