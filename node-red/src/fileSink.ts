/**
 * Downloaded files → Buffers, the way a Node-RED message carries a file (File Out and the e-mail
 * node take msg.payload as a Buffer). Each file streams in under the core's size limit
 * (core/files/limits.ts): past it the download is ended and the file is marked too large, and
 * the message fails with the job id instead of holding more than the limit in memory.
 */
import type { FileSink } from '../../core/jobs/plan';
import type { JobTask } from '../../core/jobs/task';
import { FILE_SIZE_LIMIT_BYTES, readWithin, type FileTooLarge } from '../../core/files/limits';

export type StoredFile = Buffer | FileTooLarge;
/** A job task of the Node-RED node: its files are kept as Buffers. */
export type NodeRedTask = JobTask<StoredFile>;

export function bufferSink(limitBytes = FILE_SIZE_LIMIT_BYTES): FileSink<StoredFile> {
	return async (content) => await readWithin(content, limitBytes);
}
