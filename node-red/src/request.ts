/**
 * A message, read into what the job runner is asked to do (the core's JobPlan), or the first
 * problem with it, before anything is sent.
 *
 * Generate reads its request from the Prompt field, which points at msg.payload by default: a
 * string is the prompt, an object is the request ({prompt, outputType, templateName,
 * variantCount, referenceImages, webSearch, knowledgeBase, idempotencyKey, wait,
 * timeoutSeconds}); what the object leaves out comes from the node's fields. The core checks the
 * request itself (core/request/generateBody.ts). Status, Wait and Download read a job id.
 */
import type { JobPlan } from '../../core/jobs/plan';
import { isObject, type JsonObject } from '../../core/json';
import { reusableLinks } from '../../core/files/links';
import { defaultIdempotencyKey, requestDigest } from '../../core/keys/idempotency';
import { TIMING } from '../../core/pacing/timing';
import { generateBody, isReferenceImageType, type InputProblem } from '../../core/request/generateBody';
import { refusalOf, type InputRefusal, type MessageProblem } from './inputProblems';
import type { NodeMessage } from './red';
import type { NodeSettings, Operation, Typed } from './settings';
import { HOST_TAG } from './words';

/** Reads a typed field for a message (RED.util.evaluateNodeProperty underneath). */
export type Evaluate = (field: Typed, msg: NodeMessage) => Promise<unknown>;

export interface PlannedRun {
	operation: Operation;
	plan: JobPlan;
}

export type Reading = PlannedRun | { refusal: InputRefusal };

class Problem extends Error {
	constructor(readonly problem: InputProblem | MessageProblem) {
		super(problem.kind);
	}
}

const fail = (problem: InputProblem | MessageProblem): never => {
	throw new Problem(problem);
};

async function read(evaluate: Evaluate, field: Typed, name: string, msg: NodeMessage): Promise<unknown> {
	try {
		return await evaluate(field, msg);
	} catch (error) {
		return fail({ kind: 'unreadable_field', field: name, reason: error instanceof Error ? error.message : String(error) });
	}
}

function flagOf(field: string, value: unknown, fallback: boolean): boolean {
	if (value === undefined) return fallback;
	return typeof value === 'boolean' ? value : fail({ kind: 'not_a_flag', field, value });
}

function textOf(field: string, property: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'number') return String(value);
	return typeof value === 'string' ? value.trim() : fail({ kind: 'not_a_text', field, property, value });
}

function timeoutMsOf(value: unknown): number {
	const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return fail({ kind: 'bad_timeout', value });
	return Math.round(seconds * 1000);
}

/** Reference images as the API takes them: base64 data and a MIME type, each an image. */
function referenceImagesOf(value: unknown): JsonObject[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) return fail({ kind: 'bad_reference_images' });
	return value.map((entry: unknown, index) => {
		if (!isObject(entry)) return fail({ kind: 'bad_reference_images', index });
		const data = Buffer.isBuffer(entry.data) ? entry.data.toString('base64') : entry.data;
		const mimeType = entry.mimeType ?? entry.mime_type;
		if (typeof data !== 'string' || data === '' || typeof mimeType !== 'string') return fail({ kind: 'bad_reference_images', index });
		if (!isReferenceImageType(mimeType)) {
			return fail({ kind: 'reference_not_an_image', name: `referenceImages[${index}]`, value: mimeType });
		}
		return { data, mime_type: mimeType.toLowerCase() };
	});
}

async function generatePlan(settings: NodeSettings, msg: NodeMessage, nodeId: string, evaluate: Evaluate): Promise<PlannedRun> {
	const given = await read(evaluate, settings.prompt, 'Prompt', msg);
	const fields: JsonObject = isObject(given) && !Buffer.isBuffer(given) ? given : { prompt: given };
	const templateName = fields.templateName ?? (await read(evaluate, settings.templateName, 'Template', msg));
	const images = referenceImagesOf(fields.referenceImages);
	const built = generateBody({
		outputType: fields.outputType ?? settings.outputType,
		prompt: fields.prompt,
		templateName: textOf('Template', 'templateName', templateName),
		variantCount: fields.variantCount ?? settings.variantCount,
		wantsReferenceImages: images !== undefined && images.length > 0,
		useWebSearch: flagOf('webSearch', fields.webSearch, settings.webSearch),
		useKnowledgeBase: flagOf('knowledgeBase', fields.knowledgeBase, settings.knowledgeBase),
	});
	if ('problem' in built) return fail(built.problem);
	const body = built.body;
	if (images?.length) body.reference_images = images;
	const wait = flagOf('wait', fields.wait, settings.wait);
	const timeoutMs = timeoutMsOf(fields.timeoutSeconds ?? settings.timeoutSeconds);
	const ownKey = textOf('Idempotency Key', 'idempotencyKey', fields.idempotencyKey ?? (await read(evaluate, settings.idempotencyKey, 'Idempotency Key', msg)));
	const request = requestDigest(body);
	// The message id, the node and the request: the same message sent again is the same job.
	const idempotencyKey =
		ownKey || defaultIdempotencyKey({ host: HOST_TAG, executionId: msg._msgid, nodeId, runIndex: 0, itemIndex: 0, body });
	return {
		operation: 'generate',
		plan: {
			itemIndex: 0,
			start: { body, idempotencyKey, keySetByUser: ownKey !== '', slot: `msg:${msg._msgid ?? idempotencyKey}`, request },
			mode: wait ? 'wait' : 'start-only',
			downloadFiles: true,
			timeoutMs,
			binaryPropertyName: 'payload',
			itemPerFile: true,
		},
	};
}

/** The job id: the Job ID field when set, else msg.perceptis.jobId, else msg.payload. */
async function jobIdOf(settings: NodeSettings, msg: NodeMessage, evaluate: Evaluate): Promise<string> {
	const perceptis = isObject(msg.perceptis) ? msg.perceptis : {};
	const set = settings.jobId.type === 'str' && settings.jobId.value.trim() === '' ? undefined : await read(evaluate, settings.jobId, 'Job ID', msg);
	for (const candidate of [set, perceptis.jobId, msg.payload]) {
		if ((typeof candidate === 'string' && candidate.trim() !== '') || typeof candidate === 'number') return String(candidate).trim();
	}
	return fail({ kind: 'no_job_id' });
}

async function jobPlan(settings: NodeSettings, msg: NodeMessage, evaluate: Evaluate, now: number): Promise<PlannedRun> {
	const { operation } = settings;
	const jobId = await jobIdOf(settings, msg, evaluate);
	const fields = isObject(msg.payload) && !Buffer.isBuffer(msg.payload) ? msg.payload : {};
	const timeoutMs = operation === 'wait' ? timeoutMsOf(fields.timeoutSeconds ?? settings.timeoutSeconds) : TIMING.defaultTimeoutSeconds * 1000;
	// A Download right after a Status of the same job uses the links that Status was handed.
	const reuse = operation === 'download' && isObject(msg.perceptis) ? reusableLinks(msg.perceptis, jobId, now) : undefined;
	return {
		operation,
		plan: {
			itemIndex: 0,
			jobId,
			mode: operation === 'status' ? 'check-once' : operation === 'wait' ? 'wait' : 'download',
			downloadFiles: operation !== 'status',
			timeoutMs,
			binaryPropertyName: 'payload',
			itemPerFile: true,
			...(reuse ? { reuse } : {}),
		},
	};
}

/** What the message asks for, or why it cannot be sent. */
export async function planOf(settings: NodeSettings, msg: NodeMessage, nodeId: string, evaluate: Evaluate, now: number): Promise<Reading> {
	try {
		return settings.operation === 'generate' ? await generatePlan(settings, msg, nodeId, evaluate) : await jobPlan(settings, msg, evaluate, now);
	} catch (error) {
		return refused(error);
	}
}

/** A problem with the message; anything else is a bug, not a refusal, and goes on up. */
function refused(error: unknown): { refusal: InputRefusal } {
	if (error instanceof Problem) return { refusal: refusalOf(error.problem) };
	throw error;
}
