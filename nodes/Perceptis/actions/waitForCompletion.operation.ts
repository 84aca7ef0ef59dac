/**
 * Wait for Completion: poll a job started earlier (by a Generate that did not wait, or by
 * another workflow with the same credential) until it completes or fails, then download.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOption,
	downloadFilesOption,
	incomingPoll,
	jobIdProperty,
	maxJobsInFlightOption,
	optionsCollection,
	outputItemsOption,
	readBinaryPropertyName,
	readItemPerFile,
	readJobId,
	readOptions,
	readTimeoutMs,
	readToolWaitMs,
	runTimeoutOption,
	timeoutOption,
	toolWaitOption,
} from './common';
import type { JobPlan } from '../../../core/jobs/plan';

export const description: INodeProperties[] = [
	jobIdProperty(['waitForCompletion']),
	optionsCollection('waitForCompletion', [
		downloadFilesOption,
		maxJobsInFlightOption,
		outputItemsOption,
		binaryPropertyOption,
		timeoutOption,
		runTimeoutOption,
		toolWaitOption,
	]),
];

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const options = readOptions(this, itemIndex);
	const jobId = readJobId(this, itemIndex);
	const poll = incomingPoll(this, itemIndex, jobId);
	return {
		itemIndex,
		jobId,
		...(poll ? { poll } : {}),
		mode: 'wait',
		downloadFiles: options.downloadFiles !== false,
		timeoutMs: readTimeoutMs(this, itemIndex, options),
		binaryPropertyName: readBinaryPropertyName(this, itemIndex, options),
		itemPerFile: readItemPerFile(this, itemIndex, options),
		toolWaitMs: readToolWaitMs(this, itemIndex, options),
	};
}
