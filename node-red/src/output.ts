/**
 * The messages of a finished run, in Node-RED's conventions: one message per file, its Buffer in
 * msg.payload and its name in msg.filename (File Out and the e-mail node take them as they are),
 * with msg.parts when a job has several files (Split/Join); msg.perceptis describes the job with
 * the same fields and wording as the n8n node's output (core/jobs/jobJson.ts), and lists the
 * job's files. Without files (a Generate that does not wait, a Status) one message comes out at
 * once: msg.payload is the job id or the status word.
 */
import { fileJson, jobJson } from '../../core/jobs/jobJson';
import type { JsonObject } from '../../core/json';
import type { NodeRedTask } from './fileSink';
import type { NodeMessage } from './red';
import type { Operation } from './settings';

export interface OutputTools {
	clone(msg: NodeMessage): NodeMessage;
	newId(): string;
}

/** The job's files in short, on every message of the job. */
function filesList(task: NodeRedTask): JsonObject[] {
	return task.files.map((file) => ({
		index: file.index,
		fileName: file.fileName,
		mimeType: file.mimeType,
		bytes: Buffer.isBuffer(file.stored) ? file.stored.length : null,
	}));
}

/** msg.parts of file `index` of `count`; parts the message came with are kept inside, as Split does. */
function partsOf(msg: NodeMessage, id: string, index: number, count: number): JsonObject {
	return { id, index, count, type: 'array', len: 1, ...(msg.parts !== undefined ? { parts: msg.parts } : {}) };
}

export function resultMessages(msg: NodeMessage, task: NodeRedTask, operation: Operation, resumed: boolean, tools: OutputTools): NodeMessage[] {
	const job = jobJson(task);
	const marks = resumed ? { resumed: true } : {};
	if (task.files.length === 0) {
		msg.payload = operation === 'generate' ? task.jobId : task.snapshot?.status;
		msg.perceptis = { ...job, files: [], ...marks };
		return [msg];
	}
	const files = filesList(task);
	const count = task.files.length;
	const partsId = tools.newId();
	// Copies first, while msg is still as it came; the first file goes out on msg itself.
	const messages = task.files.map((_, index) => (index === 0 ? msg : tools.clone(msg)));
	task.files.forEach((file, index) => {
		const out = messages[index];
		if (count > 1) out.parts = partsOf(out, partsId, index, count);
		out.payload = file.stored;
		out.filename = file.fileName;
		out.perceptis = { ...fileJson(job, file, count), files, ...marks };
	});
	return messages;
}
