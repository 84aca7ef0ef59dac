/**
 * Generate: start a slide or deck job and, by default, wait for it and download its files.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOption,
	downloadFilesOption,
	maxJobsInFlightOption,
	optionsCollection,
	outputItemsOption,
	readBinaryPropertyName,
	readItemPerFile,
	readOptions,
	readTimeoutMs,
	readToolWaitMs,
	runTimeoutOption,
	timeoutOption,
	toolWaitOption,
} from './common';
import { PARK_THRESHOLD_SECONDS, stampNextCheck } from './nextCheck';
import { jobItems, type Placed } from './output';
import { isToolRun } from './toolMode';
import { generateBody, isReferenceImageType } from '../../../core/request/generateBody';
import { invalidInput, invalidParameter } from '../n8n/nodeErrors';
import { defaultIdempotencyKey, keysPerItem, requestDigest } from '../../../core/keys/idempotency';
import { recordInLedger, resumeFromLedger } from '../../../core/jobs/ledger';
import { ledgerOf } from '../n8n/ledgerStore';
import { retriedExecutionId } from '../n8n/retryOrigin';
import { statusOutcome } from '../../../core/wire/answers';
import type { ToolCallParts } from '../../../core/keys/toolCalls';
import { HOST_TAG, toolCalls } from '../n8n/toolCalls';
import type { JobPlan } from '../../../core/jobs/plan';
import type { N8nTask } from '../n8n/binary';

const show = { operation: ['generate'] };
const whenWaiting = { show: { '/waitForCompletion': [true] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Output Type',
		name: 'outputType',
		type: 'options',
		options: [
			{ name: 'Single Slide', value: 'single_slide', description: 'One slide, optionally in several variants' },
			{ name: 'Deck', value: 'deck', description: 'A whole presentation' },
		],
		default: 'single_slide',
		description: 'Single Slide (single_slide) for one slide, in 3–7 minutes; Deck (deck) for a whole presentation, in 5–15 minutes',
		displayOptions: { show },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. A slide comparing our Q3 revenue by region, with a bar chart',
		description:
			'What the slide or deck should say and look like: topic, audience, key points and figures, tone and style. Specific prompts give better slides, e.g. "A 10-slide deck for the board on Q3 revenue by region, with a chart per region". Decks take 5–15 minutes, single slides 3–7: the result may come back later.',
		displayOptions: { show },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the job is done (minutes) and return its files. Turn off to return the job ID at once and wait later with the "Wait for Completion" operation.',
		displayOptions: { show },
	},
	optionsCollection('generate', [
		{ ...downloadFilesOption, displayOptions: whenWaiting },
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				"Applies to each item's request. Leave empty: the node derives one per item and execution, and retries (Retry On Fail, the executions list's Retry) pick up the job instead of paying again. Set your own to deduplicate across executions, e.g. an expression with the week and the team; items sharing a key get -item-1, -item-2 … appended.",
		},
		maxJobsInFlightOption,
		{ ...outputItemsOption, displayOptions: whenWaiting },
		{ ...binaryPropertyOption, displayOptions: whenWaiting },
		{
			displayName: 'Reference Images',
			name: 'referenceImages',
			type: 'string',
			default: '',
			placeholder: 'e.g. logo, chart',
			description:
				'Single slide only: names of binary fields of the input item holding images (PNG, JPEG, GIF or WebP) to send as references, separated by commas',
		},
		{
			displayName: 'Template Name',
			name: 'templateName',
			type: 'string',
			default: '',
			description:
				'The exact name of a Perceptis template your organisation can use. Leave empty to let Perceptis choose.',
		},
		{ ...timeoutOption, displayOptions: whenWaiting },
		runTimeoutOption,
		{ ...toolWaitOption, displayOptions: whenWaiting },
		{
			displayName: 'Use Knowledge Base',
			name: 'useKnowledgeBase',
			type: 'boolean',
			default: false,
			description: "Whether Perceptis may use your organisation's knowledge base",
		},
		{
			displayName: 'Use Web Search',
			name: 'useWebSearch',
			type: 'boolean',
			default: false,
			description: 'Whether Perceptis may search the web for content',
		},
		{
			displayName: 'Variant Count',
			name: 'variantCount',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1,
			description: 'Single slide only: how many variants of the slide to generate (each is billed)',
		},
	]),
];

async function readReferenceImages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	names: string,
): Promise<IDataObject[]> {
	const properties = names
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	const item = ctx.getInputData()[itemIndex];
	const images: IDataObject[] = [];
	for (const property of properties) {
		const binary = item.binary?.[property];
		if (!binary) {
			const available = Object.keys(item.binary ?? {});
			throw invalidParameter(
				ctx.getNode(),
				itemIndex,
				`Reference Images names the binary field "${property}", which item ${itemIndex} does not have`,
				available.length
					? `The item's binary fields are: ${available.join(', ')}. Use one of them in Options → Reference Images.`
					: 'The item has no binary data. Add a node before this one that reads the image (e.g. HTTP Request or Read Files), or remove Options → Reference Images.',
			);
		}
		if (!isReferenceImageType(binary.mimeType)) {
			throw invalidInput(ctx, itemIndex, { kind: 'reference_not_an_image', name: property, value: binary.mimeType });
		}
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
		images.push({ data: buffer.toString('base64'), mime_type: binary.mimeType.toLowerCase() });
	}
	return images;
}

/** Validates the item's parameters (the core's rules) and builds the request body; throws before any request. */
async function buildBody(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): Promise<IDataObject> {
	const referenceNames = typeof options.referenceImages === 'string' ? options.referenceImages.trim() : '';
	const built = generateBody({
		outputType: ctx.getNodeParameter('outputType', itemIndex),
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		templateName: options.templateName,
		variantCount: options.variantCount,
		wantsReferenceImages: referenceNames !== '',
		useWebSearch: options.useWebSearch,
		useKnowledgeBase: options.useKnowledgeBase,
	});
	if ('problem' in built) throw invalidInput(ctx, itemIndex, built.problem);
	const body = built.body as IDataObject;
	if (referenceNames !== '') body.reference_images = await readReferenceImages(ctx, itemIndex, referenceNames);
	return body;
}

function runIndexOf(ctx: IExecuteFunctions, itemIndex: number): number {
	try {
		return ctx.getWorkflowDataProxy(itemIndex).$runIndex ?? 0;
	} catch {
		return 0;
	}
}

export async function plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan> {
	const options = readOptions(this, itemIndex);
	const body = await buildBody(this, itemIndex, options);
	const wait = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const ownKey = typeof options.idempotencyKey === 'string' ? options.idempotencyKey.trim() : '';
	// An AI agent's tool calls each get a new run index, a retried call too: as a tool, the same
	// request within one execution is the same job, whichever call sends it (the ledger's slot),
	// and across executions for a while (the tool call's key).
	const asTool = isToolRun(this);
	const runIndex = asTool ? 0 : runIndexOf(this, itemIndex);
	const request = requestDigest(body);
	const idempotencyKey =
		ownKey ||
		(asTool && toolCalls.keyFor(toolCallParts(this, request), Date.now())) ||
		defaultIdempotencyKey({
			host: HOST_TAG,
			// A Retry from the list derives the key of the run it retries (found again even when n8n
			// kept nothing of that run: it crashed); every other run its own.
			executionId: retriedExecutionId(this) ?? this.getExecutionId(),
			nodeId: this.getNode().id ?? this.getNode().name,
			runIndex,
			itemIndex,
			body,
		});
	return {
		itemIndex,
		start: {
			body,
			idempotencyKey,
			keySetByUser: ownKey !== '',
			slot: asTool ? `tool:${request}` : `${runIndex}:${itemIndex}`,
			request,
		},
		mode: wait ? 'wait' : 'start-only',
		downloadFiles: options.downloadFiles !== false,
		timeoutMs: readTimeoutMs(this, itemIndex, options),
		binaryPropertyName: readBinaryPropertyName(this, itemIndex, options),
		itemPerFile: readItemPerFile(this, itemIndex, options),
		toolWaitMs: readToolWaitMs(this, itemIndex, options),
	};
}

/**
 * Before the run: a key set by the user is made one per item, and each request an earlier run of
 * this node already started (a retry) is pointed at its job (the job ledger).
 */
export function beforeRun(this: IExecuteFunctions, plans: JobPlan[]): void {
	const ownKeys = plans.flatMap((plan) =>
		plan.start?.keySetByUser ? [{ itemIndex: plan.itemIndex, key: plan.start.idempotencyKey }] : [],
	);
	const perItem = keysPerItem(ownKeys);
	for (const plan of plans) {
		const key = perItem.get(plan.itemIndex);
		if (plan.start && key !== undefined) plan.start.idempotencyKey = key;
	}
	resumeFromLedger(plans, ledgerOf(this));
}

/**
 * What the tasks started, for a retry: written the moment a job exists (n8n saves the context with
 * a stopped execution too) and again after the run with each job's last status.
 */
export function record(this: IExecuteFunctions, tasks: N8nTask[]): void {
	recordInLedger(tasks, ledgerOf(this));
	if (!isToolRun(this)) return;
	for (const { plan, jobId, snapshot } of tasks) {
		if (!plan.start || plan.start.keySetByUser) continue;
		const failed = jobId !== undefined && snapshot !== undefined && statusOutcome(snapshot.status) === 'failed';
		toolCalls.settle(toolCallParts(this, plan.start.request), plan.start.idempotencyKey, failed ? jobId : undefined);
	}
}

function toolCallParts(ctx: IExecuteFunctions, request: string): ToolCallParts {
	return { host: HOST_TAG, workflowId: ctx.getWorkflow().id, nodeId: ctx.getNode().id ?? ctx.getNode().name, request };
}

/**
 * Without waiting, each item also says when a parked loop should first look at its job
 * (nextCheck.ts): Generate → Wait {{ $json.nextCheckInSeconds }} s → Check Status, so no check is
 * spent on a job seconds old and the first Wait already frees the worker.
 */
export function place(this: IExecuteFunctions, tasks: N8nTask[]): Placed[] {
	const placed = tasks.map((task) => ({ task, items: jobItems(task) }));
	const started = placed.filter(
		({ task }) => task.plan.mode === 'start-only' && statusOutcome(task.snapshot?.status ?? 'pending') === 'running',
	);
	stampNextCheck(this, started.map(({ task, items }) => ({ task, items, minWaitMs: PARK_THRESHOLD_SECONDS * 1000 })));
	return placed.map(({ items }) => ({ output: 0, items }));
}
