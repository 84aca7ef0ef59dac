/**
 * Get Status: one status check of a job, whatever its state. A failed job is an answer here,
 * not an error: the item reports `status: failed` and the job's `error`.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { incomingPoll, jobIdProperty, readJobId } from './common';
import type { JobPlan } from '../../../core/jobs/plan';
import { TIMING } from '../../../core/pacing/timing';

export const description: INodeProperties[] = [jobIdProperty(['getStatus'])];

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const jobId = readJobId(this, itemIndex);
	const poll = incomingPoll(this, itemIndex, jobId);
	return {
		itemIndex,
		jobId,
		...(poll ? { poll } : {}),
		mode: 'check-once',
		downloadFiles: false,
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: 'data',
		itemPerFile: false,
	};
}
