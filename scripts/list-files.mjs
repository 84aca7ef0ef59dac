/**
 * The files below a folder as the checks of this folder compare them: paths relative to it, with
 * forward slashes, sorted; none when the folder does not exist.
 */
import fs from 'node:fs';
import path from 'node:path';

export function listFiles(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
		.map((file) => file.split(path.sep).join('/'))
		.sort();
}
