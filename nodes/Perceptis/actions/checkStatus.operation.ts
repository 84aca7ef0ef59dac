/**
 * Check Status: one check of a job, routed to one of two outputs — Completed (what Get Status
 * gives, and the files when asked) or Still Running (the job id, its status, the poll state and
 * `nextCheckInSeconds`) — for a loop through n8n's Wait node: Check Status → Still Running →
 * Wait {{ $json.nextCheckInSeconds }} s → back to Check Status. A Wait of 65 s or more parks the
 * execution in the database and frees its worker (n8n-parking-facts), so a hundred decks wait
 * without holding a hundred worker slots. Failed jobs, and jobs still running past their
 * deadline (counted from the job's start, across the loop's passes), are errors with the job id.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOption,
	downloadFilesOption,
	incomingPoll,
	jobIdProperty,
	optionsCollection,
	outputItemsOption,
	readBinaryPropertyName,
	readItemPerFile,
	readJobId,
	readOptions,
	readTimeoutMs,
	timeoutOption,
} from './common';
import { PARK_THRESHOLD_SECONDS, stampNextCheck } from './nextCheck';
import { jobItems, type Placed } from './output';
import type { JobPlan } from '../../../core/jobs/plan';
import { statusOutcome } from '../../../core/wire/answers';
import type { N8nTask } from '../n8n/binary';
import { invalidParameter } from '../n8n/nodeErrors';

export const OUTPUT_NAMES = ['Completed', 'Still Running'] as const;
export const outputCount = OUTPUT_NAMES.length;
const COMPLETED = 0;
const STILL_RUNNING = 1;

const minimumWaitOption: INodeProperties = {
	displayName: 'Minimum Wait (Seconds)',
	name: 'minimumWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: PARK_THRESHOLD_SECONDS,
	hint: "n8n's Wait node frees the worker only for waits of 65 s or more; a shorter wait keeps the execution (and its worker slot) busy",
	description:
		'The shortest next check Still Running items propose in nextCheckInSeconds. Lower it only for a loop that need not park, e.g. in a test.',
};

export const description: INodeProperties[] = [
	jobIdProperty(['checkStatus']),
	optionsCollection('checkStatus', [
		{ ...downloadFilesOption, default: false, description: 'Whether to download the .pptx files of a completed job into its item as binary data' },
		minimumWaitOption,
		outputItemsOption,
		binaryPropertyOption,
		{
			...timeoutOption,
			hint: "Counted from the job's start, across the loop's passes: a job still running after it is an error with its ID.",
		},
	]),
];

function readMinimumWaitMs(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): number {
	const value = options.minimumWaitSeconds ?? PARK_THRESHOLD_SECONDS;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			`Minimum Wait (Seconds) must be a number of seconds of at least 1, not "${String(value)}"`,
			`Set Options → Minimum Wait (Seconds) to ${PARK_THRESHOLD_SECONDS} or more so n8n's Wait node parks the execution, or remove the option.`,
		);
	}
	return value * 1000;
}

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const options = readOptions(this, itemIndex);
	const jobId = readJobId(this, itemIndex);
	const poll = incomingPoll(this, itemIndex, jobId);
	const timeoutMs = readTimeoutMs(this, itemIndex, options);
	readMinimumWaitMs(this, itemIndex, options);
	return {
		itemIndex,
		jobId,
		mode: 'route',
		...(poll ? { poll, deadlineAt: poll.deadline ?? poll.startedAt + timeoutMs } : {}),
		downloadFiles: options.downloadFiles === true,
		timeoutMs,
		binaryPropertyName: readBinaryPropertyName(this, itemIndex, options),
		itemPerFile: readItemPerFile(this, itemIndex, options),
	};
}

/**
 * Completed jobs to the first output; running ones to the second, all with one shared
 * `nextCheckInSeconds` (nextCheck.ts).
 */
export function place(this: IExecuteFunctions, tasks: N8nTask[]): Placed[] {
	const placed = tasks.map((task) => ({
		task,
		output: statusOutcome(task.snapshot?.status ?? 'pending') === 'running' ? STILL_RUNNING : COMPLETED,
		items: jobItems(task),
	}));
	const waiting = placed.filter(({ output }) => output === STILL_RUNNING);
	stampNextCheck(
		this,
		waiting.map(({ task, items }) => ({ task, items, minWaitMs: readMinimumWaitMs(this, task.plan.itemIndex, readOptions(this, task.plan.itemIndex)) })),
	);
	return placed.map(({ output, items }) => ({ output, items }));
}
