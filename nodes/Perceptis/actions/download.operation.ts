/**
 * Download: fetch fresh links for a completed job and return its files as binary data. When the
 * incoming item carries this job's links from moments ago (a Wait for Completion with Download
 * Files off), those are used first, so the job is not asked about twice within a second.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOption,
	incomingPoll,
	jobIdProperty,
	optionsCollection,
	outputItemsOption,
	readBinaryPropertyName,
	readItemPerFile,
	readJobId,
	readOptions,
	runTimeoutOption,
} from './common';
import type { JobPlan } from '../../../core/jobs/plan';
import { reusableLinks } from '../../../core/files/links';
import { TIMING } from '../../../core/pacing/timing';

export const description: INodeProperties[] = [
	jobIdProperty(['download']),
	optionsCollection('download', [outputItemsOption, binaryPropertyOption, runTimeoutOption]),
];

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const options = readOptions(this, itemIndex);
	const jobId = readJobId(this, itemIndex);
	const incoming = this.getInputData()[itemIndex]?.json ?? {};
	const poll = incomingPoll(this, itemIndex, jobId);
	return {
		itemIndex,
		jobId,
		mode: 'download',
		downloadFiles: true,
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: readBinaryPropertyName(this, itemIndex, options),
		itemPerFile: readItemPerFile(this, itemIndex, options),
		reuse: reusableLinks(incoming, jobId, Date.now()),
		...(poll ? { poll } : {}),
	};
}
