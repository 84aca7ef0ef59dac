/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Where a secret must never be: n8n's log and its database files (sqlite plus its -wal/-shm journal).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The files among `files` that contain `secret` (as UTF-8 bytes). Missing files are skipped. */
export function filesContaining(secret: string, files: string[]): string[] {
	const needle = Buffer.from(secret, 'utf8');
	return files.filter((file) => fs.existsSync(file) && fs.readFileSync(file).includes(needle));
}

/** The sqlite database of a user folder and its journal files. */
export function databaseFiles(userFolder: string): string[] {
	const dir = path.join(userFolder, '.n8n');
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((name) => /^database\.sqlite(-wal|-shm|-journal)?$/.test(name))
		.map((name) => path.join(dir, name));
}
