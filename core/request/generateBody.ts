/**
 * What a generate request may ask for, checked before anything is sent: a bad value is a
 * problem named by its field (core/errors/inputTable.ts words it), and no job is started. The
 * body uses the API's documented field names; the flags' names are not published, and these
 * are the ones a public client uses.
 */
import type { JsonObject } from '../json';

export const OUTPUT_TYPES = ['single_slide', 'deck'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/** The image types Perceptis takes as references (single slides only). */
const REFERENCE_IMAGE_TYPE = /^image\/(png|jpe?g|gif|webp)$/i;

export interface GenerateInput {
	outputType: unknown;
	prompt: unknown;
	templateName?: unknown;
	/** undefined: not set (the API's default, one). */
	variantCount?: unknown;
	/** Whether reference images are asked for; the host reads them once the rest is valid. */
	wantsReferenceImages?: boolean;
	useWebSearch?: unknown;
	useKnowledgeBase?: unknown;
}

export type InputProblem =
	| { kind: 'unknown_output_type'; value: unknown }
	| { kind: 'empty_prompt' }
	| { kind: 'bad_variant_count'; value: unknown }
	| { kind: 'variants_on_deck'; value: number }
	| { kind: 'references_on_deck' }
	| { kind: 'reference_not_an_image'; name: string; value: string };

export function isOutputType(value: unknown): value is OutputType {
	return (OUTPUT_TYPES as readonly unknown[]).includes(value);
}

export function isReferenceImageType(mimeType: string | undefined): boolean {
	return REFERENCE_IMAGE_TYPE.test(mimeType ?? '');
}

/** Variant Count applies to single slides; a deck's 1 is the default and sends nothing. */
function variantProblem(count: unknown, isDeck: boolean): InputProblem | undefined {
	if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return { kind: 'bad_variant_count', value: count };
	if (isDeck && count !== 1) return { kind: 'variants_on_deck', value: count };
	return undefined;
}

/**
 * The request body, or the first problem with the input (in the order a user reads the form:
 * output type, prompt, variants, references). Reference images are added by the host.
 */
export function generateBody(input: GenerateInput): { body: JsonObject } | { problem: InputProblem } {
	const { outputType } = input;
	if (!isOutputType(outputType)) return { problem: { kind: 'unknown_output_type', value: outputType } };
	const prompt = typeof input.prompt === 'string' ? input.prompt.trim() : '';
	if (prompt === '') return { problem: { kind: 'empty_prompt' } };
	const isDeck = outputType === 'deck';
	const body: JsonObject = { prompt, output_type: outputType };

	const templateName = typeof input.templateName === 'string' ? input.templateName.trim() : '';
	if (templateName !== '') body.template_name = templateName;
	if (input.variantCount !== undefined) {
		const problem = variantProblem(input.variantCount, isDeck);
		if (problem) return { problem };
		if (!isDeck) body.variant_count = input.variantCount;
	}
	if (input.wantsReferenceImages && isDeck) return { problem: { kind: 'references_on_deck' } };
	if (input.useWebSearch === true) body.use_web_search = true;
	if (input.useKnowledgeBase === true) body.use_knowledge_base = true;
	return { body };
}
