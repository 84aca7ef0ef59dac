/**
 * Errors the Node-RED way: an Error for `done(err)` (so Catch nodes get it, with the input
 * message), with `err.code` to branch on, and the same facts as data on msg.perceptis.error
 * (code, httpCode, message, description, jobId) beside msg.perceptis.jobId, set before done(err).
 *
 * The words come from the core's tables in this host's names (words.ts): the message and the
 * remedy, joined, since Node-RED shows one text (the debug sidebar, msg.error.message).
 */
import { describeTooLarge, isFileTooLarge } from '../../core/files/limits';
import { describeFailure, type ErrorFacts } from '../../core/errors/table';
import { jobJson } from '../../core/jobs/jobJson';
import { failureContextOf } from '../../core/jobs/runReport';
import type { JsonObject } from '../../core/json';
import { TIMING } from '../../core/pacing/timing';
import type { InputRefusal } from './inputProblems';
import type { NodeRedTask } from './fileSink';
import type { NodeMessage } from './red';
import { NODE_RED_WORDS } from './words';

export class PerceptisError extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
		this.name = 'PerceptisError';
	}
}

/** The message and its remedy as one text. */
const joined = (message: string, description: string) =>
	description ? `${message}${/[.!?]$/.test(message) ? '' : '.'} ${description}` : message;

/** What went wrong with a finished task, if anything: its failure, or a file past the size limit. */
export function problemOf(task: NodeRedTask, origin: string): ErrorFacts | undefined {
	const tooLarge = task.files.find((file) => isFileTooLarge(file.stored));
	if (tooLarge) {
		const limit = isFileTooLarge(tooLarge.stored) ? tooLarge.stored.limitBytes : 0;
		return describeTooLarge(task.jobId ?? '', tooLarge.fileName, limit, NODE_RED_WORDS);
	}
	if (!task.failure) return undefined;
	const context = failureContextOf(task, { origin, timeoutMs: task.plan.timeoutMs + TIMING.runTimeoutAllowanceMs });
	return describeFailure(task.failure, context, NODE_RED_WORDS);
}

/** Puts the facts on msg.perceptis (with the job as far as it is known) and returns the error for done(). */
export function failWith(msg: NodeMessage, facts: ErrorFacts | InputRefusal, task?: NodeRedTask): PerceptisError {
	const job: JsonObject = task?.snapshot ? jobJson(task) : {};
	const jobId = 'jobId' in facts && facts.jobId ? facts.jobId : task?.jobId;
	const status = task?.snapshot?.status ?? (jobId ? 'unknown' : 'not_started');
	const httpCode = 'httpCode' in facts ? facts.httpCode : undefined;
	msg.perceptis = {
		...job,
		...(jobId ? { jobId } : {}),
		status,
		...(task?.plan.start ? { idempotencyKey: task.plan.start.idempotencyKey } : {}),
		error: { ...facts, ...(httpCode ? { httpStatus: httpCode } : {}) },
	};
	return new PerceptisError(joined(facts.message, facts.description), facts.code);
}
