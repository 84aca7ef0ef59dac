/**
 * Bad input on a message, caught before any request, in one place: the core's problems (the
 * prompt, the output type, variants, reference images: core/errors/inputTable.ts, in this
 * host's words) and the few that only a Node-RED message can have (a property of the wrong
 * type, no job id on the message). Each names the field, the value and the fix; no job is
 * started for such a message.
 */
import { describeInputProblem } from '../../core/errors/inputTable';
import type { InputProblem } from '../../core/request/generateBody';
import { NODE_RED_INPUT_WORDS } from './words';

export type MessageProblem =
	| { kind: 'not_a_flag'; field: string; value: unknown }
	| { kind: 'not_a_text'; field: string; property: string; value: unknown }
	| { kind: 'bad_timeout'; value: unknown }
	| { kind: 'bad_reference_images'; index?: number }
	| { kind: 'no_job_id' }
	| { kind: 'unreadable_field'; field: string; reason: string };

/** What a refused message says: the code to branch on, and the words. */
export interface InputRefusal {
	code: string;
	/** What went wrong, in this node's terms: the input, not the API. */
	kind: 'invalid_input' | 'invalid_setting';
	message: string;
	description: string;
}

const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : Buffer.isBuffer(value) ? 'a Buffer' : JSON.stringify(value) ?? String(value));

function describeMessageProblem(problem: MessageProblem): Pick<InputRefusal, 'message' | 'description'> {
	switch (problem.kind) {
		case 'not_a_flag':
			return {
				message: `msg.payload.${problem.field} must be true or false, not ${shown(problem.value)}`,
				description: `Set msg.payload.${problem.field} to true or false, or leave it out to use the node's own setting.`,
			};
		case 'not_a_text':
			return {
				message: `The ${problem.field} must be a text, not ${shown(problem.value)}`,
				description: `Set the ${problem.field} field (or msg.payload.${problem.property}) to a text, or leave it empty.`,
			};
		case 'bad_timeout':
			return {
				message: `The timeout must be a number of seconds above 0, not ${shown(problem.value)}`,
				description: 'Set the Timeout field (or msg.payload.timeoutSeconds) to a number of seconds, for example 1800.',
			};
		case 'bad_reference_images':
			return {
				message:
					problem.index === undefined
						? 'msg.payload.referenceImages must be a list of images'
						: `msg.payload.referenceImages[${problem.index}] is not an image entry`,
				description:
					'Give each reference image as { data: <a Buffer, or base64 text>, mimeType: "image/png" } (PNG, JPEG, GIF or WebP), in a list, for a single slide.',
			};
		case 'no_job_id':
			return {
				message: 'The message carries no Perceptis job id',
				description:
					'Send the job id as msg.payload, or keep msg.perceptis.jobId from the perceptis node that started the job, or set the Job ID field.',
			};
		case 'unreadable_field':
			return {
				message: `The ${problem.field} field could not be read: ${problem.reason}`,
				description: `Check what the ${problem.field} field points at (a message property, context, an environment variable or an expression).`,
			};
	}
}

const MESSAGE_PROBLEMS = new Set<string>(['not_a_flag', 'not_a_text', 'bad_timeout', 'bad_reference_images', 'no_job_id', 'unreadable_field']);

const isMessageProblem = (problem: InputProblem | MessageProblem): problem is MessageProblem => MESSAGE_PROBLEMS.has(problem.kind);

export function refusalOf(problem: InputProblem | MessageProblem): InputRefusal {
	const words = isMessageProblem(problem) ? describeMessageProblem(problem) : describeInputProblem(problem, 0, NODE_RED_INPUT_WORDS);
	return { code: problem.kind, kind: 'invalid_input', ...words };
}
