'use strict';
/**
 * Validation of a POST /api/v1/generate body. Returns the request in normalised form, or the
 * documented 400 error with a message that names the offending field, so a client bug shows as a
 * precise failure. Unknown fields are rejected too: a misspelt flag would otherwise be ignored silently.
 */

const TEMPLATES = Object.freeze(['Corporate Blue', 'Minimal', 'Quarterly Review 2025', 'Quarterly Review 2026']);
const OUTPUT_TYPES = ['single_slide', 'deck'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const MAX_VARIANTS = 4;
const MAX_IMAGES = 5;
const KNOWN_FIELDS = [
	'prompt',
	'output_type',
	'template_name',
	'variant_count',
	'reference_images',
	'use_web_search',
	'use_knowledge_base',
];

const invalid = (message) => ({ ok: false, code: 'invalid_request', message });

/**
 * Exact name (case-insensitive) wins; otherwise a case-insensitive prefix must match exactly one
 * template. Several matches are the documented `ambiguous_template_name`.
 */
function resolveTemplate(name) {
	const wanted = name.trim().toLowerCase();
	const exact = TEMPLATES.find((t) => t.toLowerCase() === wanted);
	if (exact) return { ok: true, template: exact };
	const matches = TEMPLATES.filter((t) => t.toLowerCase().startsWith(wanted));
	if (matches.length > 1) {
		return {
			ok: false,
			code: 'ambiguous_template_name',
			message: `template_name "${name}" matches several templates (${matches.join(', ')}); use the full name.`,
		};
	}
	if (matches.length === 1) return { ok: true, template: matches[0] };
	return invalid(`template_name "${name}" does not match any template this organisation can access.`);
}

// Optional fields may be omitted or null (the usual behaviour of an "Optional" field in an API schema).
const absent = (v) => v === undefined || v === null;

function validateImages(images) {
	if (!Array.isArray(images)) return invalid('reference_images must be an array of {data, mime_type}.');
	if (images.length > MAX_IMAGES) return invalid(`reference_images may hold at most ${MAX_IMAGES} images.`);
	for (const [i, image] of images.entries()) {
		const at = `reference_images[${i}]`;
		if (image === null || typeof image !== 'object' || Array.isArray(image)) {
			return invalid(`${at} must be an object {data, mime_type}.`);
		}
		const extra = Object.keys(image).find((k) => k !== 'data' && k !== 'mime_type');
		if (extra) return invalid(`${at}.${extra} is not a known field.`);
		// Plain base64 only: a data: URL prefix or base64url alphabet is a client bug.
		if (typeof image.data !== 'string' || image.data.length === 0 || image.data.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(image.data)) {
			return invalid(`${at}.data must be a non-empty base64 string.`);
		}
		if (!IMAGE_TYPES.includes(image.mime_type)) {
			return invalid(`${at}.mime_type must be one of ${IMAGE_TYPES.join(', ')}.`);
		}
	}
	return { ok: true };
}

function validateGenerate(body) {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return invalid('The request body must be a JSON object.');
	}
	const unknown = Object.keys(body).find((k) => !KNOWN_FIELDS.includes(k));
	if (unknown) return invalid(`${unknown} is not a known field.`);
	const { prompt, output_type: outputType } = body;
	if (typeof prompt !== 'string' || prompt.trim() === '') return invalid('prompt is required and must be a non-empty string.');
	if (!OUTPUT_TYPES.includes(outputType)) return invalid(`output_type is required and must be one of ${OUTPUT_TYPES.join(', ')}.`);
	const single = outputType === 'single_slide';

	let templateName = null;
	if (!absent(body.template_name)) {
		if (typeof body.template_name !== 'string' || body.template_name.trim() === '') {
			return invalid('template_name must be a non-empty string (omit it for automatic choice).');
		}
		const resolved = resolveTemplate(body.template_name);
		if (!resolved.ok) return resolved;
		templateName = resolved.template;
	}

	let variantCount = 1;
	if (!absent(body.variant_count)) {
		if (!single) return invalid('variant_count is only allowed when output_type is single_slide.');
		if (!Number.isInteger(body.variant_count) || body.variant_count < 1 || body.variant_count > MAX_VARIANTS) {
			return invalid(`variant_count must be an integer from 1 to ${MAX_VARIANTS}.`);
		}
		variantCount = body.variant_count;
	}

	if (!absent(body.reference_images)) {
		if (!single) return invalid('reference_images is only allowed when output_type is single_slide.');
		const images = validateImages(body.reference_images);
		if (!images.ok) return images;
	}

	for (const flag of ['use_web_search', 'use_knowledge_base']) {
		if (!absent(body[flag]) && typeof body[flag] !== 'boolean') return invalid(`${flag} must be a boolean.`);
	}

	return {
		ok: true,
		request: {
			prompt,
			outputType,
			templateName,
			variantCount,
			referenceImageCount: absent(body.reference_images) ? 0 : body.reference_images.length,
			useWebSearch: body.use_web_search === true,
			useKnowledgeBase: body.use_knowledge_base === true,
		},
	};
}

module.exports = { TEMPLATES, validateGenerate, resolveTemplate, MAX_VARIANTS, MAX_IMAGES };
