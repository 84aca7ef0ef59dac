/**
 * The shapes of JSON the core reads and writes. The API documents little about its answers, so
 * every reader takes `unknown` and checks each field; these are the checks they share.
 */

/** A JSON object as it came over the wire (or goes out on an output): nothing is trusted to exist. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string or a number, as trimmed text; undefined for anything else. */
export function text(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
}

/** JSON with sorted keys, so the same object always hashes the same. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const object = value as JsonObject;
		const entries = Object.keys(object)
			.sort()
			.filter((key) => object[key] !== undefined)
			.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}
