/**
 * The perceptis node in Node-RED's runtime against the simulator over real HTTP: a deck from a
 * prompt to its .pptx message, variants as msg.parts, a Generate that does not wait, and the
 * Status → Wait → Download chain; what Complete nodes and the node's status show.
 */
import { apiRequests, expectNoKey, generateRequests, helper, loadFlow, statusTexts, useFastSimulator } from './flows';
import { readPptx } from '../simulator/helpers';

const sim = useFastSimulator();

afterEach(async () => await helper.unload());

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('Generate (defaults: a deck, waiting for its files)', () => {
	it('turns a prompt in msg.payload into one message with the .pptx as a Buffer', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'A deck about tides', topic: 'kept' });
		const [msg] = await flow.out.next(1);
		expect(Buffer.isBuffer(msg.payload)).toBe(true);
		expect((await readPptx(msg.payload)).slides.length).toBeGreaterThan(0);
		expect(msg.filename).toMatch(/\.pptx$/);
		expect(msg.topic).toBe('kept');
		expect(msg.parts).toBeUndefined();
		const [job] = sim.jobs();
		expect(sim.jobs()).toHaveLength(1);
		expect(job.outputType).toBe('deck');
		expect(msg.perceptis).toMatchObject({
			jobId: job.id,
			status: 'completed',
			fileIndex: 0,
			fileCount: 1,
			fileName: msg.filename,
			files: [{ index: 0, fileName: msg.filename, mimeType: PPTX, bytes: msg.payload.length }],
		});
		expect(msg.perceptis.idempotencyKey).toMatch(/^nodered-[0-9a-f]{48}$/);
		expect(msg.perceptis.download.url).toMatch(/^http/);
		expect(msg.perceptis.resumed).toBeUndefined();
		expect(generateRequests(sim)[0].body).toEqual({ prompt: 'A deck about tides', output_type: 'deck' });
		// The file came from storage without the key; the API got it on every request.
		for (const request of sim.requests.filter((r) => r.server === 'storage')) expect(request.headers.authorization).toBeUndefined();
		for (const request of apiRequests(sim)) expect(request.headers.authorization).toBe(`Bearer ${sim.keys.business}`);
		expectNoKey(sim, flow.out.messages, flow.statuses.messages);
	});

	it('reads the request from an object in msg.payload, over the node\'s fields', async () => {
		sim.configure({ extraDownloadFields: true });
		const flow = await loadFlow(sim, { perceptis: { webSearch: false } });
		flow.send({
			payload: { prompt: 'One slide', outputType: 'single_slide', variantCount: 3, templateName: 'Minimal', webSearch: true, knowledgeBase: true },
		});
		const messages = await flow.out.next(3);
		expect(generateRequests(sim)[0].body).toEqual({
			prompt: 'One slide',
			output_type: 'single_slide',
			template_name: 'Minimal',
			variant_count: 3,
			use_web_search: true,
			use_knowledge_base: true,
		});
		const partsId = messages[0].parts.id;
		expect(messages.map((msg) => msg.parts)).toEqual([0, 1, 2].map((index) => ({ id: partsId, index, count: 3, type: 'array', len: 1 })));
		const names = messages.map((msg) => msg.filename);
		expect(new Set(names).size).toBe(3);
		expect(names).toEqual(messages[0].perceptis.files.map((file: { fileName: string }) => file.fileName));
		expect(messages.every((msg) => Buffer.isBuffer(msg.payload))).toBe(true);
		expect(messages.map((msg) => msg.perceptis.fileIndex)).toEqual([0, 1, 2]);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('sends reference images as base64 with their type, from Buffers in msg.payload.referenceImages', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const flow = await loadFlow(sim, { perceptis: { outputType: 'single_slide' } });
		flow.send({ payload: { prompt: 'With logo', referenceImages: [{ data: png, mimeType: 'image/PNG' }] } });
		await flow.out.next(1);
		expect((generateRequests(sim)[0].body as { reference_images: unknown }).reference_images).toEqual([
			{ data: png.toString('base64'), mime_type: 'image/png' },
		]);
	});

	it('without waiting, sends the job id and status at once, and no file', async () => {
		const flow = await loadFlow(sim, { perceptis: { wait: false } });
		const sent = Date.now();
		flow.send({ payload: 'A deck, later' });
		const [msg] = await flow.out.next(1);
		expect(Date.now() - sent).toBeLessThan(1_000);
		expect(msg.payload).toBe(sim.jobs()[0].id);
		expect(msg.perceptis).toMatchObject({ jobId: sim.jobs()[0].id, status: 'pending', files: [] });
		expect(msg.filename).toBeUndefined();
		expect(sim.requests.filter((r) => r.server === 'api' && r.method === 'GET')).toHaveLength(0);
	});

	it('tells Complete nodes when a message is done, and says what it does in its status', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'A deck', _msgid: 'status-words' });
		await flow.completed.next(1);
		const texts = statusTexts(flow.statuses);
		expect(texts[0]).toBe('starting');
		expect(texts).toContainEqual(expect.stringMatching(/^waiting: \d+s$/));
		expect(texts[texts.length - 1]).toBe('done: 1 file');
		expect(flow.completed.messages[0]._msgid).toBe('status-words');
	});
});

describe('Status, Wait and Download take the job id from msg.perceptis.jobId or msg.payload', () => {
	it('Wait sends the files of a job started without waiting; Download sends them again; Status says completed', async () => {
		let flow = await loadFlow(sim, { perceptis: { wait: false } });
		flow.send({ payload: 'A deck to wait for' });
		const [started] = await flow.out.next(1);
		const jobId = started.perceptis.jobId;
		await helper.unload();

		flow = await loadFlow(sim, { perceptis: { operation: 'wait' } });
		flow.send(started);
		const [waited] = await flow.out.next(1);
		expect(Buffer.isBuffer(waited.payload)).toBe(true);
		expect(waited.perceptis).toMatchObject({ jobId, status: 'completed' });
		await helper.unload();

		flow = await loadFlow(sim, { perceptis: { operation: 'status' } });
		flow.send({ payload: jobId });
		const [status] = await flow.out.next(1);
		expect(status.payload).toBe('completed');
		expect(status.perceptis.downloads).toHaveLength(1);
		expect(status.perceptis.downloadLinks.shortLived).toBe(true);
		await helper.unload();

		const checksBefore = apiRequests(sim).filter((r) => r.method === 'GET').length;
		flow = await loadFlow(sim, { perceptis: { operation: 'download' } });
		flow.send({ payload: 'ignored: msg.perceptis.jobId wins', perceptis: status.perceptis });
		const [downloaded] = await flow.out.next(1);
		expect(Buffer.isBuffer(downloaded.payload)).toBe(true);
		expect(downloaded.perceptis.jobId).toBe(jobId);
		// The links Status was handed moments ago were used: no second check of the job.
		expect(apiRequests(sim).filter((r) => r.method === 'GET')).toHaveLength(checksBefore);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('the Job ID field wins when it is set', async () => {
		const flow = await loadFlow(sim, { perceptis: { wait: false } });
		flow.send({ payload: 'A deck' });
		const [started] = await flow.out.next(1);
		await helper.unload();
		const status = await loadFlow(sim, { perceptis: { operation: 'status', jobId: 'job', jobIdType: 'msg' } });
		status.send({ job: started.perceptis.jobId, payload: 'not a job', perceptis: { jobId: 'not this one' } });
		const [msg] = await status.out.next(1);
		expect(msg.perceptis.jobId).toBe(started.perceptis.jobId);
	});
});
