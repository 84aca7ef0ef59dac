/**
 * A download's first bytes, read before the file is kept: they tell a presentation from a
 * sign-in page (files/types.ts) while the rest still streams, so no file is held whole.
 */
import type { BodyStream } from '../ports';
import type { FileContent } from './http';

/** How many leading bytes a download is judged by (files/types.ts, contentProblem). */
export const FILE_HEAD_BYTES = 512;

export function isBodyStream(value: unknown): value is BodyStream {
	return typeof value === 'object' && value !== null && typeof (value as BodyStream).read === 'function';
}

/** Waits until the stream has data, ended or failed. */
async function readable(stream: BodyStream): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const done = () => {
			stream.removeListener('readable', done);
			stream.removeListener('end', done);
			stream.removeListener('error', failed);
			resolve();
		};
		const failed = (error: unknown) => {
			done();
			reject(error);
		};
		stream.once('readable', done);
		stream.once('end', done);
		stream.once('error', failed);
	});
}

/**
 * Reads the first `size` bytes of a download and puts them back, so the stream still holds the
 * whole file. A body that ended meanwhile (a small page) comes back as bytes instead.
 */
export async function peek(stream: BodyStream, size: number): Promise<{ head: Buffer; content: FileContent }> {
	const chunks: Buffer[] = [];
	let length = 0;
	while (length < size && !stream.readableEnded) {
		const chunk = stream.read();
		if (chunk === null) {
			await readable(stream);
			continue;
		}
		chunks.push(chunk);
		length += chunk.length;
	}
	const head = Buffer.concat(chunks);
	if (stream.readableEnded) return { head, content: head };
	stream.unshift(head);
	return { head, content: stream };
}
