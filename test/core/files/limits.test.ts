/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The size limit of a file a host holds in memory (core/files/limits.ts): a stream read whole
 * below it, ended as soon as it passes it, and a cut-off stream an error.
 */
import { PassThrough, Readable } from 'stream';

import { describeTooLarge, FileTooLarge, isFileTooLarge, readWithin } from '../../../core/files/limits';
import type { HostWords } from '../../../core/errors/table';

function streamOf(chunks: Buffer[], end = true): PassThrough {
	const stream = new PassThrough();
	for (const chunk of chunks) stream.write(chunk);
	if (end) stream.end();
	return stream;
}

describe('readWithin', () => {
	it('reads a stream whole while it stays within the limit', async () => {
		const file = await readWithin(streamOf([Buffer.from('PK'), Buffer.alloc(1000, 1)]), 1002);
		expect(Buffer.isBuffer(file) && file.length).toBe(1002);
	});

	it('ends the download as soon as it passes the limit', async () => {
		let pulled = 0;
		const stream = new Readable({
			read() {
				pulled += 1;
				this.push(pulled <= 100 ? Buffer.alloc(600) : null);
			},
		});
		const result = await readWithin(stream, 1000);
		expect(isFileTooLarge(result)).toBe(true);
		expect(result).toMatchObject({ limitBytes: 1000 });
		expect((result as FileTooLarge).receivedBytes).toBeGreaterThan(1000);
		expect(pulled).toBeLessThan(100);
		expect(stream.destroyed).toBe(true);
	});

	it('takes bytes as they are, within the limit or not', async () => {
		expect(await readWithin(Buffer.from('small'), 10)).toEqual(Buffer.from('small'));
		expect(isFileTooLarge(await readWithin(Buffer.alloc(11), 10))).toBe(true);
	});

	it('rejects when the stream fails or closes before its end', async () => {
		const failing = streamOf([Buffer.from('PK')], false);
		setImmediate(() => failing.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' })));
		await expect(readWithin(failing, 100)).rejects.toMatchObject({ code: 'ECONNRESET' });
		const closed = streamOf([Buffer.from('PK')], false);
		setImmediate(() => closed.destroy());
		await expect(readWithin(closed, 100)).rejects.toMatchObject({ code: 'ECONNRESET' });
	});
});

it('words the refusal with the job id, in the host words', () => {
	const words = { operations: { status: 'a perceptis node set to Status' } } as HostWords;
	const facts = describeTooLarge('job-9', 'deck.pptx', 256 * 1024 * 1024, words);
	expect(facts).toMatchObject({ code: 'file_too_large', kind: 'download_failed', jobId: 'job-9' });
	expect(facts.message).toBe('The file "deck.pptx" of Perceptis job job-9 is larger than 256 MB, the most this node holds in memory');
	expect(facts.description).toContain('a perceptis node set to Status and Job ID job-9');
	expect(facts.description).toMatch(/Job ID: job-9\.$/);
});
