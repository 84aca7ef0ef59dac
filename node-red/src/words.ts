/**
 * What Node-RED users call the things the core's error remedies point at (core/errors/table.ts
 * and core/errors/inputTable.ts): the config node, the node's operations, its fields and the
 * message properties that override them. The labels are the editor's (perceptis.html and its
 * locale file); a field renamed there is renamed here.
 */
import type { InputWords } from '../../core/errors/inputTable';
import type { HostWords } from '../../core/errors/table';

/** The host tag of derived Idempotency-Keys (`nodered-<hex>`): never the same as another host's. */
export const HOST_TAG = 'nodered';

export const NODE_RED_WORDS: HostWords = {
	credential: "the Perceptis server (perceptis-config) node's API Key field",
	sameKey: 'the same Perceptis server (the same API key)',
	operations: {
		generate: 'a perceptis node set to Generate',
		status: 'a perceptis node set to Status',
		wait: 'a perceptis node set to Wait',
		download: 'a perceptis node set to Download',
	},
	settings: {
		maxJobsInFlight: 'a delay node in rate-limit mode before the perceptis node',
		templateName: 'the Template field (or msg.payload.templateName)',
		idempotencyKey: 'the Idempotency Key field (or msg.payload.idempotencyKey)',
		timeoutSeconds: 'the Timeout field (or msg.payload.timeoutSeconds)',
		runTimeoutSeconds: 'the Timeout field (or msg.payload.timeoutSeconds; the whole wait may last it plus 10 minutes)',
	},
	item: 'message',
	items: 'messages',
	runAgain: 'send the message again',
	repeatOfRun: 'sending the same message (the same msg._msgid) to this node again',
	networkAccess: "this Node-RED's network access (and its http_proxy, https_proxy and no_proxy variables)",
	runStopped: 'The node was stopped (a deploy, or Node-RED stopping)',
};

/** The Generate fields as the editor shows them, and the msg.payload properties that set them. */
export const NODE_RED_INPUT_WORDS: InputWords = {
	fields: {
		outputType: { label: 'Output', where: 'the Output field (or msg.payload.outputType)' },
		prompt: { label: 'The prompt', where: 'the Prompt field (msg.payload by default)' },
		variantCount: { label: 'Variants', where: 'the Variants field (or msg.payload.variantCount)' },
		referenceImages: { label: 'Reference images', where: 'msg.payload.referenceImages' },
	},
	singleSlide: 'single_slide',
	item: 'message',
	promptRemedy:
		'Send the prompt as msg.payload (a string), or as msg.payload.prompt, or point the Prompt field at the property that holds it.',
	removeSetting: 'leave it empty',
	imageHolder: 'entry',
	imageHolderShort: 'entry',
};

/** The log line of a node deleted (or disabled) while its jobs ran: none of them is forgotten. */
export function jobsLeftWarning(jobs: Array<{ jobId?: string; status?: string; idempotencyKey?: string }>): string {
	const listed = jobs.map((job) =>
		job.jobId ? `${job.jobId} (${job.status ?? 'started'})` : `a job not started yet (Idempotency-Key ${job.idempotencyKey ?? 'unknown'})`,
	);
	return `Perceptis: this node was deleted or disabled with ${jobs.length} job(s) in flight; they keep running on Perceptis: ${listed.join(', ')}. ${NODE_RED_WORDS.operations.wait} picks one up with its job id, using ${NODE_RED_WORDS.sameKey}.`;
}
