/**
 * The queue benchmark's contenders as n8n workflows (`npm run bench:queue`). Each is started by one
 * production webhook call per deck, `{"prompt": "…"}`, and the webhook answers at once (HTTP 202
 * "accepted", `responseMode: onReceived`) in all three: the caller never waits for the file, and
 * the benchmark reads when each file reached the destination from the executions. Every file ends
 * at the same destination, a NoOp named `Destination` (stand-in for Drive, S3, Slack …).
 *
 * - in place: Webhook → Perceptis Generate (deck, waits for the job and downloads its file) → Destination;
 * - parked loop, as examples/batch-decks-queue-mode.json builds it: Webhook → Generate (Wait for
 *   Completion off; its items carry the first `nextCheckInSeconds`) → Wait `{{ $json.nextCheckInSeconds }}` s
 *   (≥ 65 s: parks) → Check Status → [Completed] → Download → Destination; [Still Running] → back
 *   to the Wait (with Check Status' own `nextCheckInSeconds`);
 * - hand loop: Webhook → HTTP Request POST generate → Wait 70 s → HTTP Request GET status → IF
 *   completed → HTTP Request GET the download link (file) → Destination, else back to the Wait.
 */
import { randomUUID } from 'crypto';

import type { CredentialRef, PerceptisParameters, WorkflowDefinition, WorkflowNode } from '../e2e/harness';
import { perceptis } from '../e2e/harness';

export const DESTINATION = 'Destination';

let column = 0;
const at = (row = 300): [number, number] => [(column += 220), row];

function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion, position: at(), parameters, ...extra };
}

/** A webhook that answers at once: 202 "accepted", before anything else runs. */
function acceptingWebhook(path: string): WorkflowNode {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{
			httpMethod: 'POST',
			path,
			responseMode: 'onReceived',
			options: { responseData: 'accepted', responseCode: { values: { responseCode: 'customCode', customCode: 202 } } },
		},
		{ webhookId: randomUUID() },
	);
}

const destination = () => node(DESTINATION, 'n8n-nodes-base.noOp', 1, {});

const to = (...targets: string[]) => targets.map((target) => ({ node: target, type: 'main', index: 0 }));
const main = (...targets: string[]) => ({ main: [to(...targets)] });

const prompt = '={{ $json.body.prompt }}';

/** Check Status (the harness's parameter type predates the operation). */
const CHECK_STATUS = { operation: 'checkStatus', jobId: '={{ $json.jobId }}' } as unknown as PerceptisParameters;

export function inPlaceWorkflow(name: string, path: string, credential: CredentialRef): WorkflowDefinition {
	column = 0;
	const nodes = [
		acceptingWebhook(path),
		// Wait for Completion and Download Files are on by default.
		{ ...perceptis(credential, { operation: 'generate', outputType: 'deck', prompt }, 'Generate deck'), position: at() },
		destination(),
	];
	return {
		name,
		nodes,
		connections: { Webhook: main('Generate deck'), 'Generate deck': main(DESTINATION) },
		settings: { executionOrder: 'v1' },
	};
}

export function parkedLoopWorkflow(name: string, path: string, credential: CredentialRef): WorkflowDefinition {
	column = 0;
	const nodes = [
		acceptingWebhook(path),
		{ ...perceptis(credential, { operation: 'generate', outputType: 'deck', prompt, waitForCompletion: false }, 'Generate deck'), position: at() },
		node('Wait', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: '={{ $json.nextCheckInSeconds }}', unit: 'seconds' }, { webhookId: randomUUID() }),
		{ ...perceptis(credential, CHECK_STATUS, 'Check status'), position: at() },
		{ ...perceptis(credential, { operation: 'download', jobId: '={{ $json.jobId }}' }, 'Download'), position: at() },
		destination(),
	];
	return {
		name,
		nodes,
		connections: {
			Webhook: main('Generate deck'),
			'Generate deck': main('Wait'),
			Wait: main('Check status'),
			// Output 0 Completed, output 1 Still Running.
			'Check status': { main: [to('Download'), to('Wait')] },
			Download: main(DESTINATION),
		},
		settings: { executionOrder: 'v1' },
	};
}

/** What a user builds without the node. `credential` is a Header Auth credential (Authorization: Bearer …). */
export function handLoopWorkflow(name: string, path: string, origin: string, credential: CredentialRef, waitSeconds: number): WorkflowDefinition {
	column = 0;
	const auth = { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' };
	const credentials = { httpHeaderAuth: { id: credential.id, name: credential.name } };
	const nodes: WorkflowNode[] = [
		acceptingWebhook(path),
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
						{ name: 'prompt', value: prompt },
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
		// The link is pre-signed storage: no credential (storage refuses an Authorization header).
		node('Download file', 'n8n-nodes-base.httpRequest', 4.2, {
			method: 'GET',
			url: '={{ $json.downloads[0].url }}',
			options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } },
		}),
		destination(),
	];
	return {
		name,
		nodes,
		connections: {
			Webhook: main('Start job'),
			'Start job': main('Wait'),
			Wait: main('Get status'),
			'Get status': main('Completed?'),
			'Completed?': { main: [to('Download file'), to('Wait')] },
			'Download file': main(DESTINATION),
		},
		settings: { executionOrder: 'v1' },
	};
}
