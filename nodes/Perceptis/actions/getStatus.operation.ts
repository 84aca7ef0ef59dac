/**
 * Get Status: one status check of a job, whatever its state. A failed job is an answer here,
 * not an error: the item reports `status: failed` and the job's `error`.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { jobIdProperty, readJobId } from './common';
import type { JobPlan } from '../../../core/jobs/plan';
import { TIMING } from '../../../core/pacing/timing';

export const description: INodeProperties[] = [jobIdProperty(['getStatus'])];

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	return {
		itemIndex,
		jobId: readJobId(this, itemIndex),
		mode: 'check-once',
		downloadFiles: false,
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: 'data',
		itemPerFile: false,
	};
}
