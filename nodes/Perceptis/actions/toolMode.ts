/**
 * The node as an AI agent's tool (n8n's `isToolExecution()`): an agent keeps only the JSON of a
 * tool result (binary files are dropped) and a chat front-end gives up after about 90 s, while a
 * deck takes minutes. So as a tool the node downloads nothing, waits at most Wait as AI Tool
 * (Seconds), and answers with compact JSON a model can act on: the job id, its status, the slide
 * count, the links with their expiry, a one-line summary, and — while the job runs — what to do
 * next. Failures come back as results too, so the model can tell the user what went wrong.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { JsonObject } from '../../../core/json';
import { statusOutcome } from '../../../core/wire/answers';
import type { PerceptisNodeError } from '../n8n/nodeErrors';
import type { JobPlan } from '../../../core/jobs/plan';
import type { N8nTask } from '../n8n/binary';
import { TIMING } from '../../../core/pacing/timing';

/**
 * Whether an agent (or an MCP client) runs this node as a tool. n8n 2.x says so through
 * `isToolExecution()` when the AI Agent 2.x or the MCP Server Trigger calls the tool in place; the
 * AI Agent 3.x hands each call to the workflow engine, which runs the node like any other, and
 * n8n 1.x has no such call. But a tool is always the "…Tool" node type n8n derives from a node
 * marked usableAsTool: that type runs only as a tool.
 */
export function isToolRun(ctx: IExecuteFunctions): boolean {
	return ctx.isToolExecution?.() === true || /Tool$/.test(ctx.getNode().type ?? '');
}

/** What changes in a plan when an agent calls: links instead of files, and a bounded wait. */
export function planForTool(plan: JobPlan): void {
	plan.downloadFiles = false;
	plan.itemPerFile = false;
	if (plan.mode === 'download') plan.mode = 'check-once';
	if (plan.mode === 'wait') {
		plan.timeoutMs = Math.min(plan.timeoutMs, plan.toolWaitMs ?? TIMING.defaultToolWaitSeconds * 1000);
		plan.returnStillRunning = true;
	}
}

function numberOf(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
	return Number.isFinite(n) ? n : undefined;
}

/** One entry per file: what a model needs to hand the file on. */
function filesOf(downloads: JsonObject[]): IDataObject[] {
	return downloads.map((entry) => {
		const file: IDataObject = { url: entry.url as IDataObject[string] };
		if (typeof entry.file_name === 'string') file.fileName = entry.file_name;
		const slides = numberOf(entry.slide_count);
		if (slides !== undefined) file.slideCount = slides;
		if (typeof entry.expires_at === 'string') file.expiresAt = entry.expires_at;
		return file;
	});
}

function slidesPhrase(files: IDataObject[], outputType: unknown): string {
	const slides = files.reduce((sum: number, file) => sum + ((file.slideCount as number | undefined) ?? 0), 0);
	if (outputType === 'single_slide' || (files.length > 1 && outputType !== 'deck')) {
		return files.length === 1 ? 'one slide' : `${files.length} variants of the slide`;
	}
	return slides > 0 ? `${slides} slides` : `${files.length} file${files.length === 1 ? '' : 's'}`;
}

/** The tool result of one item: done (with links), still running (with the next step), or failed. */
export function toolItem(task: N8nTask, error?: PerceptisNodeError): INodeExecutionData {
	const pairedItem = { item: task.plan.itemIndex };
	const snapshot = task.snapshot;
	const jobId = task.jobId ?? snapshot?.jobId;
	const outputType = task.plan.start?.body.output_type ?? snapshot?.raw.output_type;
	const json: IDataObject = { jobId: jobId ?? null, status: snapshot?.status ?? (jobId ? 'unknown' : 'not_started') };

	if (error) {
		json.done = true;
		json.error = { code: error.context.apiCode ?? error.context.failureKind, message: error.message };
		json.summary = `Perceptis could not make it: ${error.message}.${error.description ? ` ${error.description}` : ''}`;
		return { json, pairedItem };
	}
	const outcome = statusOutcome(snapshot?.status ?? 'pending');
	if (outcome === 'completed') {
		const files = filesOf(snapshot!.downloads);
		json.done = true;
		json.slideCount = files.reduce((sum: number, file) => sum + ((file.slideCount as number | undefined) ?? 0), 0) || null;
		json.files = files;
		json.linksExpire = 'soon: the links are pre-signed and short-lived; hand them to the user now, or call Get Status with this job ID for fresh ones';
		const first = files[0]?.url;
		json.summary = `Ready: ${slidesPhrase(files, outputType)}${first ? `. Download: ${String(first)}` : ''} (the link expires soon).`;
		return { json, pairedItem };
	}
	json.done = outcome !== 'running';
	if (outcome === 'running') {
		json.nextStep = `Call the Perceptis tool's Get Status operation with job ID ${jobId} in about a minute; do not start the job again. Slides take 3–7 minutes, decks 5–15.`;
		json.summary = `Still being made (status: ${json.status}). Job ID ${jobId}: check again with Get Status in about a minute.`;
	} else {
		json.summary = `The job ended without files (status: ${json.status}).`;
	}
	return { json, pairedItem };
}
