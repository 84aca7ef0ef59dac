/**
 * What a job's files are called: the API's names where it gives them, else one made from the job
 * id, never two alike within a job and never a character a file system refuses.
 */
import type { JsonObject } from '../json';

function safeFileName(name: string): string {
	return name
		.replace(/[/\\?%*:|"<>]|[^\x20-\uffff]/g, '-') // [^\x20-\uffff]: control characters U+0000–U+001F
		.replace(/\s+/g, ' ')
		.trim();
}

export function extensionOf(name: string): string {
	const match = /\.([A-Za-z0-9]{1,8})$/.exec(name);
	return match ? match[1].toLowerCase() : '';
}

function nameFromApi(entry: JsonObject): string | undefined {
	for (const key of ['file_name', 'filename', 'fileName', 'name']) {
		const value = entry[key];
		if (typeof value === 'string' && value.trim() !== '') {
			const name = safeFileName(value.split(/[/\\]/).pop() ?? '');
			// A name the API gives with its own extension keeps it; a bare name is a .pptx.
			if (name !== '') return extensionOf(name) ? name : `${name}.pptx`;
		}
	}
	return undefined;
}

/** `name.ext` → `name_n.ext`: the same suffix numbering as the binary fields. */
export function withSuffix(name: string, index: number): string {
	const extension = extensionOf(name);
	const stem = extension ? name.slice(0, -(extension.length + 1)) : name;
	return `${stem}_${index}${extension ? `.${extension}` : ''}`;
}

/**
 * The file names of a job's downloads, in order: the API's names where it gives them, else
 * `perceptis-<job id>.pptx`, `perceptis-<job id>_1.pptx`, … (the suffix of the binary field).
 * A name that repeats within the job gets the file's suffix too, so no file overwrites another.
 */
export function fileNamesFor(downloads: JsonObject[], jobId: string): string[] {
	const base = `perceptis-${safeFileName(jobId).replace(/ /g, '-')}.pptx`;
	const seen = new Set<string>();
	return downloads.map((entry, index) => {
		let name = nameFromApi(entry) ?? (index === 0 ? base : withSuffix(base, index));
		if (seen.has(name.toLowerCase())) name = withSuffix(name, index);
		seen.add(name.toLowerCase());
		return name;
	});
}
