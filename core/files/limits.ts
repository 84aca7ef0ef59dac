/**
 * How big a downloaded file may be where a host holds it in memory (a Node-RED message carries
 * its file as a Buffer), and the reader that enforces it while the file streams in: a runaway
 * file, or a link that serves something else, stops at the limit instead of filling the memory.
 * Hosts that stream files into their own storage (n8n's binary data) need no limit here.
 *
 * The words of the refusal live here too, beside the limit, in the error table's form
 * (errors/table.ts): it is not one of the API's failures, and no job is lost by it.
 */
import type { ErrorFacts, HostWords } from '../errors/table';
import type { BodyStream } from '../ports';
import type { FileContent } from '../wire/http';

/** A deck with many images is tens of megabytes; ten times that is not a presentation to mail. */
export const FILE_SIZE_LIMIT_BYTES = 256 * 1024 * 1024;

/** A file that passed the limit: what was read of it was let go. */
export class FileTooLarge {
	readonly tooLarge = true;
	constructor(
		readonly limitBytes: number,
		/** How many bytes had arrived when the download was ended. */
		readonly receivedBytes: number,
	) {}
}

/** Resolves when the stream has data or ended; rejects when it failed or closed before its end. */
async function more(stream: BodyStream): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const events: Array<[string, (...args: unknown[]) => void]> = [];
		const settle = (error?: unknown) => {
			for (const [event, listener] of events) stream.removeListener(event, listener);
			if (error === undefined) resolve();
			else reject(error);
		};
		const cutOff = () =>
			stream.readableEnded ? settle() : settle(Object.assign(new Error('the download was cut off'), { code: 'ECONNRESET' }));
		events.push(['readable', () => settle()], ['end', () => settle()], ['error', (error) => settle(error)], ['close', cutOff]);
		for (const [event, listener] of events) stream.once(event, listener);
	});
}

/**
 * The whole file as one Buffer, or FileTooLarge as soon as more than `limitBytes` arrived (the
 * download is then ended). A stream that fails rejects with its error.
 */
export async function readWithin(content: FileContent, limitBytes = FILE_SIZE_LIMIT_BYTES): Promise<Buffer | FileTooLarge> {
	if (Buffer.isBuffer(content)) return content.length > limitBytes ? new FileTooLarge(limitBytes, content.length) : content;
	const chunks: Buffer[] = [];
	let size = 0;
	for (;;) {
		const chunk = content.read();
		if (chunk !== null) {
			size += chunk.length;
			if (size > limitBytes) {
				content.destroy();
				return new FileTooLarge(limitBytes, size);
			}
			chunks.push(chunk);
			continue;
		}
		if (content.readableEnded) return Buffer.concat(chunks, size);
		await more(content);
	}
}

export function isFileTooLarge(value: unknown): value is FileTooLarge {
	return value instanceof FileTooLarge;
}

const sizeWords = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`);

/** The refusal in the user's words, with the job id: the job completed and its files stay on Perceptis. */
export function describeTooLarge(jobId: string, fileName: string, limitBytes: number, words: HostWords): ErrorFacts {
	return {
		code: 'file_too_large',
		kind: 'download_failed',
		message: `The file "${fileName}" of Perceptis job ${jobId} is larger than ${sizeWords(limitBytes)}, the most this node holds in memory`,
		description: `The job completed and its files stay on Perceptis. Get a fresh link with ${words.operations.status} and Job ID ${jobId}, and fetch the file with a client that writes it to disk. Job ID: ${jobId}.`,
		jobId,
	};
}
