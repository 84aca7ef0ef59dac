/**
 * n8n errors built from the core's error table: NodeApiError for anything the API answered
 * (with the API's own message, which NodeApiError would otherwise replace with a generic line),
 * NodeOperationError otherwise. The job id, the failure's kind and the API's code go on the
 * error's context, so Continue On Fail items and AI tools can carry them on.
 */
import type { IExecuteFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeInputProblem } from '../../../core/errors/inputTable';
import { describeFailure as describeInHostWords, type ErrorFacts, type FailureContext } from '../../../core/errors/table';
import type { InputProblem } from '../../../core/request/generateBody';
import type { Failure } from '../../../core/wire/failures';
import { N8N_INPUT_WORDS, N8N_WORDS } from './words';

/** A failure in the words an n8n user sees (also used for Continue On Fail items). */
export function describeFailure(failure: Failure, context: FailureContext): ErrorFacts {
	return describeInHostWords(failure, context, N8N_WORDS);
}

export type PerceptisNodeError = (NodeApiError | NodeOperationError) & { context: JsonObject };

export function toNodeError(
	node: INode,
	failure: Failure,
	context: FailureContext,
	descriptionSuffix = '',
): PerceptisNodeError {
	const facts = describeFailure(failure, context);
	const description = `${facts.description}${descriptionSuffix}`;
	const details: JsonObject = {
		message: facts.message,
		code: facts.code,
		...(facts.jobId ? { jobId: facts.jobId } : {}),
		...(facts.httpCode ? { httpCode: facts.httpCode } : {}),
	};
	const error = facts.httpCode
		? new NodeApiError(node, details, {
				message: facts.message,
				description,
				httpCode: String(facts.httpCode),
				itemIndex: context.itemIndex,
			})
		: new NodeOperationError(node, facts.message, { description, itemIndex: context.itemIndex });
	error.context.jobId = context.jobId;
	error.context.failureKind = failure.kind;
	// The API's own code (e.g. a failed job's reason) is what users branch on, as Perceptis asks.
	error.context.apiCode = failure.apiCode;
	return error as PerceptisNodeError;
}

/** A bad parameter value, caught before any request: names the field, the value and the fix. */
export function invalidParameter(
	node: INode,
	itemIndex: number,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(node, message, { description, itemIndex });
}

/** Input the core refused (core/request/generateBody.ts), in the node's field names. */
export function invalidInput(ctx: IExecuteFunctions, itemIndex: number, problem: InputProblem): NodeOperationError {
	const { message, description } = describeInputProblem(problem, itemIndex, N8N_INPUT_WORDS);
	return invalidParameter(ctx.getNode(), itemIndex, message, description);
}
