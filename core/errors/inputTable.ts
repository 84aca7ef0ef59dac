/**
 * The words for bad input, caught before any request: each names the field, the value and the
 * fix, in the host's names for its fields (n8n's "Options → Variant Count", Node-RED's
 * `msg.payload.variantCount`). No job was started for such an input.
 */
import type { InputProblem } from '../request/generateBody';

export type InputField = 'outputType' | 'prompt' | 'variantCount' | 'referenceImages';

export interface InputWords {
	/** A field's label in a message ("Variant Count") and where to set it in a remedy ("Options → Variant Count"). */
	fields: Record<InputField, { label: string; where: string }>;
	/** How the host names the single-slide output type ("Single Slide"). */
	singleSlide: string;
	/** One unit of input: "item" (n8n), "message" (Node-RED). */
	item: string;
	/** What to do about an empty prompt, in the host's terms. */
	promptRemedy: string;
	/** How to take an optional setting away: "remove the option". */
	removeSetting: string;
	/** What holds a reference image, in full and in short: "binary field", "field" (n8n's binary data). */
	imageHolder: string;
	imageHolderShort: string;
}

export interface InputWording {
	message: string;
	description: string;
}

export function describeInputProblem(problem: InputProblem, itemIndex: number, w: InputWords): InputWording {
	const { outputType, prompt, variantCount, referenceImages } = w.fields;
	switch (problem.kind) {
		case 'unknown_output_type':
			return {
				message: `${outputType.label} "${String(problem.value)}" is not supported`,
				description: `Set ${outputType.where} to "single_slide" (${w.singleSlide}) or "deck" (Deck).`,
			};
		case 'empty_prompt':
			return { message: `${prompt.label} is empty on ${w.item} ${itemIndex}`, description: w.promptRemedy };
		case 'bad_variant_count':
			return {
				message: `${variantCount.label} must be a whole number of at least 1, not "${String(problem.value)}"`,
				description: `Set ${variantCount.where} to 1 or more, or ${w.removeSetting}.`,
			};
		case 'variants_on_deck':
			return {
				message: `${variantCount.label} (${problem.value}) applies to single slides only, but ${outputType.label} is "deck"`,
				description: `Remove ${variantCount.where}, or set ${outputType.where} to ${w.singleSlide}.`,
			};
		case 'references_on_deck':
			return {
				message: `${referenceImages.label} apply to single slides only, but ${outputType.label} is "deck"`,
				description: `Remove ${referenceImages.where}, or set ${outputType.where} to ${w.singleSlide}.`,
			};
		case 'reference_not_an_image':
			return {
				message: `${referenceImages.label}: the ${w.imageHolder} "${problem.name}" is "${problem.value}", not an image`,
				description: `Perceptis accepts PNG, JPEG, GIF or WebP images. Name an image ${w.imageHolderShort} in ${referenceImages.where}.`,
			};
	}
}
