'use strict';
/**
 * The delivered files: real Office Open XML presentations (pptxgenjs), with the prompt's text on the
 * slides, so a client's download path is tested with files PowerPoint and LibreOffice open.
 * Rendering happens in a worker thread (see pptx-worker.js for why); each file is built once and cached.
 */
const path = require('path');
const { Worker } = require('worker_threads');
const { stripDirectives } = require('./jobs');

const PPTX_MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

function slug(text) {
	const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
	return s || 'presentation';
}

/**
 * File name of file `index` (0-based) of a job: one per single-slide variant, or the deck.
 * `extension` is the `fileNameExtension` switch: a name that does not say .pptx although the bytes are one.
 */
function fileName(job, index, extension = 'pptx') {
	const base = `perceptis-${slug(stripDirectives(job.prompt))}`;
	return job.outputType === 'deck' ? `${base}-deck.${extension}` : `${base}-variant-${index + 1}.${extension}`;
}

class PptxCache {
	constructor() {
		this.files = new Map();
		this.worker = null;
		this.pending = new Map();
		this.nextId = 1;
		this.closed = false;
	}

	/**
	 * Promise<Buffer> of file `index` of `job`. Caches the promise so concurrent downloads build once.
	 * With `padToBytes` (the `fileSizeBytes` switch), every job and file gets the same shared file of
	 * about that size: one buffer per size, however many jobs download it.
	 */
	get(job, index, padToBytes = null) {
		if (padToBytes) return this.padded(padToBytes);
		const key = `${job.objectKey}-${index}`;
		if (!this.files.has(key)) {
			const built = this.render({
				text: stripDirectives(job.prompt) || job.prompt,
				outputType: job.outputType,
				slideCount: job.slideCount,
				variantIndex: index,
				variantCount: job.variantCount,
				templateName: job.templateName,
				title: fileName(job, index),
			});
			built.catch(() => this.files.delete(key));
			this.files.set(key, built);
		}
		return this.files.get(key);
	}

	/** Promise<Buffer> of the shared padded .pptx of about `bytes` bytes. */
	padded(bytes) {
		const key = `padded-${bytes}`;
		if (!this.files.has(key)) {
			const built = this.render({
				text: `A padded presentation of about ${bytes} bytes`,
				outputType: 'deck',
				slideCount: 3,
				variantIndex: 0,
				variantCount: 1,
				templateName: null,
				title: 'perceptis-padded-deck.pptx',
				padToBytes: bytes,
			});
			built.catch(() => this.files.delete(key));
			this.files.set(key, built);
		}
		return this.files.get(key);
	}

	render(spec) {
		// A download still being answered while the simulator closes must not start a new worker.
		if (this.closed) return Promise.reject(new Error('the simulator is closed'));
		const worker = this.ensureWorker();
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			// Busy: the worker keeps the process alive until the file is there.
			if (this.pending.size === 0) worker.ref();
			this.pending.set(id, { resolve, reject });
			worker.postMessage({ id, spec });
		});
	}

	ensureWorker() {
		if (this.worker) return this.worker;
		const worker = new Worker(path.join(__dirname, 'pptx-worker.js'));
		worker.on('message', ({ id, bytes, error }) => {
			const waiting = this.pending.get(id);
			if (!waiting) return;
			this.pending.delete(id);
			if (this.pending.size === 0) worker.unref();
			if (error) waiting.reject(new Error(`pptx rendering failed: ${error}`));
			else waiting.resolve(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
		});
		const failAll = (error) => {
			if (this.worker === worker) this.worker = null;
			for (const waiting of this.pending.values()) waiting.reject(error);
			this.pending.clear();
		};
		worker.on('error', failAll);
		worker.on('exit', (code) => failAll(new Error(`pptx worker exited with code ${code}`)));
		// Idle between downloads, it must not keep a test or CLI process alive on its own (jest
		// waited for it for ever). Only after the listeners: adding one refs the worker's port again.
		worker.unref();
		this.worker = worker;
		return worker;
	}

	clear() {
		this.files.clear();
	}

	async close() {
		this.closed = true;
		this.files.clear();
		if (this.worker) await this.worker.terminate();
		this.worker = null;
	}
}

module.exports = { PptxCache, fileName, PPTX_MIME };
