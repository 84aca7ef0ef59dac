/**
 * What n8n users call the things the core's error remedies point at (core/errors/table.ts):
 * the credential, the operations, the fields under Options. Parameter labels are the node's own
 * (actions/*.ts); a label renamed there is renamed here.
 */
import type { InputWords } from '../../../core/errors/inputTable';
import { keySettingsHint, type HostWords } from '../../../core/errors/table';

export const N8N_WORDS: HostWords = {
	credential: 'the Perceptis API credential',
	sameKey: 'the same Perceptis credential',
	operations: {
		generate: 'Generate',
		status: '"Get Status"',
		wait: `the Perceptis node's "Wait for Completion" operation`,
		download: `the Perceptis node's "Download" operation`,
	},
	settings: {
		maxJobsInFlight: 'Options → Max Jobs in Flight',
		templateName: 'Options → Template Name',
		idempotencyKey: 'Options → Idempotency Key',
		timeoutSeconds: 'Options → Job Timeout (Seconds)',
		runTimeoutSeconds: 'Options → Run Timeout (Seconds)',
	},
	item: 'item',
	items: 'items',
	runAgain: 'run the node again',
	repeatOfRun: 'a Retry of this execution',
	networkAccess: "this n8n instance's network access",
	runStopped: 'The execution was stopped',
};

export const KEY_SETTINGS_HINT = keySettingsHint(N8N_WORDS);

/** The Generate fields as the node shows them (generate.operation.ts). */
export const N8N_INPUT_WORDS: InputWords = {
	fields: {
		outputType: { label: 'Output Type', where: 'Output Type' },
		prompt: { label: 'Prompt', where: 'Prompt' },
		variantCount: { label: 'Variant Count', where: 'Options → Variant Count' },
		referenceImages: { label: 'Reference Images', where: 'Options → Reference Images' },
	},
	singleSlide: 'Single Slide',
	item: 'item',
	promptRemedy:
		'Type the instructions for the slide or deck in Prompt, or map a text field of the incoming item with an expression.',
	removeSetting: 'remove the option',
	imageHolder: 'binary field',
	imageHolderShort: 'field',
};
