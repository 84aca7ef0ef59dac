/**
 * Builders for the workflows the e2e tests and the demo deploy. Only node versions that exist in both
 * n8n 1.123 and 2.41 are used.
 */
import { randomUUID } from 'crypto';

import type { CredentialRef, WorkflowDefinition, WorkflowNode } from './client';

export const PERCEPTIS_NODE_TYPE = 'n8n-nodes-perceptis.perceptis';
export const PERCEPTIS_CREDENTIAL_TYPE = 'perceptisApi';

let x = 0;
function position(): [number, number] {
	x += 220;
	return [x, 300];
}

export function webhookTrigger(path: string, name = 'Webhook', responseMode: 'responseNode' | 'lastNode' | 'onReceived' = 'responseNode'): WorkflowNode {
	const webhookId = randomUUID();
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: position(),
		webhookId,
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode,
			...(responseMode === 'lastNode' ? { responseData: 'allEntries' } : {}),
			options: {},
		},
	};
}

export function manualTrigger(name = 'Start'): WorkflowNode {
	return { id: randomUUID(), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: position(), parameters: {} };
}

/** Respond to Webhook, answering with `parameters` (JSON body, a binary property or all items). */
function respondToWebhook(parameters: Record<string, unknown>, name: string): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.1,
		position: position(),
		parameters: { ...parameters, options: {} },
	};
}

/** Respond to Webhook with a JSON body (expression allowed). */
export function respondJson(responseBody: string, name = 'Respond'): WorkflowNode {
	return respondToWebhook({ respondWith: 'json', responseBody }, name);
}

/** Respond to Webhook with the binary property of the first item. */
export function respondBinary(binaryProperty = 'data', name = 'Respond'): WorkflowNode {
	return respondToWebhook({ respondWith: 'binary', responseDataSource: 'set', inputFieldName: binaryProperty }, name);
}

export function respondAllItems(name = 'Respond'): WorkflowNode {
	return respondToWebhook({ respondWith: 'allIncomingItems' }, name);
}

/** Edit Fields (Set) in raw JSON mode: one item with this JSON (expressions allowed). */
export function setJson(jsonOutput: string, name = 'Data'): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: position(),
		parameters: { mode: 'raw', jsonOutput, options: {} },
	};
}

/** Split Out: one item per element of `field`. */
export function splitOut(field: string, name = 'Split'): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: position(),
		parameters: { fieldToSplitOut: field, options: {} },
	};
}

export interface PerceptisParameters {
	operation?: 'generate' | 'getStatus' | 'waitForCompletion' | 'download';
	outputType?: 'single_slide' | 'deck' | string;
	prompt?: string;
	waitForCompletion?: boolean;
	jobId?: string;
	options?: {
		templateName?: string;
		variantCount?: number | string;
		useWebSearch?: boolean;
		useKnowledgeBase?: boolean;
		referenceImages?: unknown;
		idempotencyKey?: string;
		timeoutSeconds?: number;
		downloadFiles?: boolean;
		binaryPropertyName?: string;
		outputItems?: 'perJob' | 'perFile';
		/** Wait as AI Tool (Seconds): how long a tool call waits for its job. */
		toolWaitSeconds?: number;
	};
	[key: string]: unknown;
}

export function perceptis(
	credential: CredentialRef,
	parameters: PerceptisParameters,
	name = 'Perceptis',
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: PERCEPTIS_NODE_TYPE,
		typeVersion: 1,
		position: position(),
		parameters: { options: {}, ...parameters },
		credentials: { [PERCEPTIS_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
		...extra,
	};
}

/** A workflow whose nodes run one after the other, in the order given. */
export function chain(name: string, nodes: WorkflowNode[]): WorkflowDefinition {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** A unique webhook path. */
export function uniquePath(prefix: string): string {
	return `${prefix}-${randomUUID().slice(0, 8)}`;
}
