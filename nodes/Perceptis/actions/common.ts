/**
 * Parameters that several operations share, and the readers that validate them. Parameter names
 * are part of saved workflows: never rename them.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { invalidParameter } from '../n8n/nodeErrors';
import { pollFromJson, type PollState } from '../../../core/pacing/pollState';
import { TIMING } from '../../../core/pacing/timing';

/** What Max Jobs in Flight shows when a user adds it (without it, every job starts at once). */
const DEFAULT_MAX_JOBS_IN_FLIGHT = 10;
// n8n's lint reads a parameter's default only from a literal or a plain name.
const DEFAULT_TIMEOUT_SECONDS = TIMING.defaultTimeoutSeconds;
const DEFAULT_TOOL_WAIT_SECONDS = TIMING.defaultToolWaitSeconds;

export const jobIdProperty = (operations: string[]): INodeProperties => ({
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '={{ $json.jobId }}',
	description:
		'The ID of a Perceptis job, as returned by Generate. Jobs are visible only to the API key that started them, so use the same credential.',
	displayOptions: { show: { operation: operations } },
});

export const timeoutOption: INodeProperties = {
	displayName: 'Job Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_TIMEOUT_SECONDS,
	hint: 'Per job, counted from when that job started. The whole run is bounded by Run Timeout.',
	description:
		'How long to wait for each job before stopping with its ID (the job keeps running and can be resumed with Wait for Completion). Decks take 5–15 minutes.',
};

export const runTimeoutOption: INodeProperties = {
	displayName: 'Run Timeout (Seconds)',
	name: 'runTimeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 2400,
	hint: 'For the whole node run, all items together: starts, rate-limit waits, checks and downloads. Without it: the job timeout plus 10 minutes.',
	description:
		'The longest this node may run. When it ends, every job still running is reported with its ID (the jobs keep running on Perceptis).',
};

export const toolWaitOption: INodeProperties = {
	displayName: 'Wait as AI Tool (Seconds)',
	name: 'toolWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: DEFAULT_TOOL_WAIT_SECONDS,
	hint: 'Only when an AI agent calls this node as a tool. Chat front-ends give up after about 90 s; a deck takes 5–15 minutes.',
	description:
		'How long a tool call waits for its job. If the job is still running then, the call returns its job ID and status, and tells the agent to check again later with Get Status (the job is never started twice).',
};

export const downloadFilesOption: INodeProperties = {
	displayName: 'Download Files',
	name: 'downloadFiles',
	type: 'boolean',
	default: true,
	description: 'Whether to download the finished .pptx files into the output item as binary data',
};

export const binaryPropertyOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	hint: 'The first file goes here; further files (variants) get _1, _2, … appended',
	description: 'The name of the binary field for the downloaded .pptx file',
};

export const outputItemsOption: INodeProperties = {
	displayName: 'Output Items',
	name: 'outputItems',
	type: 'options',
	options: [
		{
			name: 'One per Job',
			value: 'perJob',
			description: 'One item per input item, with all its files: data, data_1, …',
		},
		{
			name: 'One per File',
			value: 'perFile',
			description:
				'One item per file (paired to its input item), each file in the same binary field: for mail and upload nodes that take one file per item',
		},
	],
	default: 'perJob',
	description: 'How the downloaded files are laid out on the output items',
};

export const maxJobsInFlightOption: INodeProperties = {
	displayName: 'Max Jobs in Flight',
	name: 'maxJobsInFlight',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_JOBS_IN_FLIGHT,
	hint: 'Without this option every job starts at once, as fast as the API allows. Add it to leave room for other workflows that use the same Perceptis key, or to spend credits gradually.',
	description:
		'How many jobs of this run may be started and waited on at the same time; further items start as earlier ones finish',
};

/** The "Options" collection of one operation (each operation shows its own set). */
export function optionsCollection(operation: string, options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options,
	};
}

export function readOptions(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

export function readJobId(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('jobId', itemIndex, '') as unknown;
	const jobId = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (jobId === '') {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			`Job ID is empty on item ${itemIndex}`,
			'Set Job ID to the ID returned by a Perceptis "Generate" node (the default expression {{ $json.jobId }} reads it from the incoming item).',
		);
	}
	return jobId;
}

/**
 * What the incoming item says of the job's checking (a Generate that did not wait, a Check
 * Status, a parked loop's last pass): the first request waits for the API's floor from it.
 */
export function incomingPoll(ctx: IExecuteFunctions, itemIndex: number, jobId: string): PollState | undefined {
	return pollFromJson(ctx.getInputData()[itemIndex]?.json, jobId);
}

export function readTimeoutMs(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): number {
	const value = options.timeoutSeconds ?? TIMING.defaultTimeoutSeconds;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			`Job Timeout (Seconds) must be a positive number, not "${String(value)}"`,
			`Set Options → Job Timeout (Seconds) to a number of seconds, for example ${TIMING.defaultTimeoutSeconds}.`,
		);
	}
	return Math.round(value * 1000);
}

export function readBinaryPropertyName(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): string {
	const value = options.binaryPropertyName ?? 'data';
	if (typeof value !== 'string' || value.trim() === '') {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			'Put Output File in Field is empty',
			'Set Options → Put Output File in Field to a field name such as "data".',
		);
	}
	return value.trim();
}

export function readItemPerFile(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): boolean {
	const value = options.outputItems ?? 'perJob';
	if (value !== 'perJob' && value !== 'perFile') {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			`Output Items must be "perJob" or "perFile", not "${String(value)}"`,
			'Set Options → Output Items to One per Job or One per File.',
		);
	}
	return value === 'perFile';
}

/** Read once per run (from the first item): it bounds the whole run, not one item. No cap without it. */
export function readMaxJobsInFlight(ctx: IExecuteFunctions): number {
	const value = readOptions(ctx, 0).maxJobsInFlight;
	if (value === undefined || value === null || value === '') return Number.POSITIVE_INFINITY;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw invalidParameter(
			ctx.getNode(),
			0,
			`Max Jobs in Flight must be a whole number of at least 1, not "${String(value)}"`,
			'Set Options → Max Jobs in Flight to 1 or more, or remove the option to start every job at once.',
		);
	}
	return value;
}

/**
 * The whole run's limit, read once (from the first item): the option, or else the longest job
 * timeout of the run plus room to start every job and download the last files.
 */
export function readRunTimeoutMs(ctx: IExecuteFunctions, longestJobTimeoutMs: number): number {
	const value = readOptions(ctx, 0).runTimeoutSeconds;
	if (value === undefined || value === null || value === '') return longestJobTimeoutMs + TIMING.runTimeoutAllowanceMs;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw invalidParameter(
			ctx.getNode(),
			0,
			`Run Timeout (Seconds) must be a positive number, not "${String(value)}"`,
			'Set Options → Run Timeout (Seconds) to a number of seconds, or remove the option.',
		);
	}
	return Math.round(value * 1000);
}

export function readToolWaitMs(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): number {
	const value = options.toolWaitSeconds ?? TIMING.defaultToolWaitSeconds;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
		throw invalidParameter(
			ctx.getNode(),
			itemIndex,
			`Wait as AI Tool (Seconds) must be a number of seconds of at least 0, not "${String(value)}"`,
			'Set Options → Wait as AI Tool (Seconds) to, for example, 60, or remove the option.',
		);
	}
	return value * 1000;
}
