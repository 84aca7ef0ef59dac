/**
 * The contenders as n8n workflows, each started by a production webhook that answers when the
 * workflow has finished (so the bench waits without polling n8n). The body is `{jobs: [{prompt}]}`;
 * Split Out turns it into one item per job.
 *
 * The hand-built loop is what a user builds without this node, with node versions that exist in
 * n8n 2.41: HTTP Request (POST generate, Header Auth credential) → Wait → HTTP Request (GET status)
 * → IF status is "completed" → Done, else back to the Wait.
 */
import { randomUUID } from 'crypto';

import type { CredentialRef, WorkflowDefinition, WorkflowNode } from '../e2e/harness';
import { perceptis } from '../e2e/harness';

let column = 0;
const at = (row = 300): [number, number] => [(column += 220), row];

function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion, position: at(), parameters, ...extra };
}

/** Webhook that answers (with no data) once the last node has run. */
function trigger(path: string): WorkflowNode {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'noData', options: {} },
		{ webhookId: randomUUID() },
	);
}

const split = () => node('One item per job', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.jobs', options: {} });

const main = (...targets: string[]) => ({ main: [targets.map((target) => ({ node: target, type: 'main', index: 0 }))] });

/** The hand-built loop with a Wait of `waitSeconds`. `credential` is a Header Auth credential. */
export function handLoopWorkflow(name: string, path: string, origin: string, credential: CredentialRef, waitSeconds: number): WorkflowDefinition {
	column = 0;
	const auth = {
		authentication: 'genericCredentialType',
		genericAuthType: 'httpHeaderAuth',
	};
	const credentials = { httpHeaderAuth: { id: credential.id, name: credential.name } };
	const nodes: WorkflowNode[] = [
		trigger(path),
		split(),
		node(
			'Start job',
			'n8n-nodes-base.httpRequest',
			4.2,
			{
				method: 'POST',
				url: `${origin}/api/v1/generate`,
				...auth,
				sendBody: true,
				contentType: 'json',
				specifyBody: 'keypair',
				bodyParameters: {
					parameters: [
						{ name: 'prompt', value: '={{ $json.prompt }}' },
						{ name: 'output_type', value: 'deck' },
					],
				},
				options: {},
			},
			{ credentials },
		),
		node('Wait', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' }, { webhookId: randomUUID() }),
		node('Get status', 'n8n-nodes-base.httpRequest', 4.2, { method: 'GET', url: `=${origin}/api/v1/status/{{ $json.job_id }}`, ...auth, options: {} }, { credentials }),
		node('Completed?', 'n8n-nodes-base.if', 2.2, {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [
					{ id: randomUUID(), leftValue: '={{ $json.status }}', rightValue: 'completed', operator: { type: 'string', operation: 'equals' } },
				],
				combinator: 'and',
			},
			options: {},
		}),
		node('Done', 'n8n-nodes-base.noOp', 1, {}),
	];
	return {
		name,
		nodes,
		connections: {
			Webhook: main('One item per job'),
			'One item per job': main('Start job'),
			'Start job': main('Wait'),
			Wait: main('Get status'),
			'Get status': main('Completed?'),
			'Completed?': { main: [[{ node: 'Done', type: 'main', index: 0 }], [{ node: 'Wait', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** This node with its defaults: Generate, deck, the prompt from the item, no options. */
export function nodeWorkflow(name: string, path: string, credential: CredentialRef): WorkflowDefinition {
	column = 0;
	const nodes: WorkflowNode[] = [
		trigger(path),
		split(),
		{ ...perceptis(credential, { operation: 'generate', outputType: 'deck', prompt: '={{ $json.prompt }}' }, 'Perceptis'), position: at() },
	];
	return {
		name,
		nodes,
		connections: { Webhook: main('One item per job'), 'One item per job': main('Perceptis') },
		settings: { executionOrder: 'v1' },
	};
}
