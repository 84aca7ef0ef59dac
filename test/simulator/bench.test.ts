/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The switches the benchmark (test/bench) relies on: a per-job duration in the prompt, a Retry-After
 * that tells the time a job still needs, padded files of a given size, and the timestamps the
 * benchmark reads (request `at`, job `createdAt`/`completedAt`/`pollTimes`). All over real HTTP.
 */
import { call, download, generate, readPptx, sleep, status, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 1 });

const deck = (prompt: string) => ({ prompt, output_type: 'deck' });

describe('[sim:seconds=N]', () => {
	it('sets the duration of that job only, fractional seconds included, and wins over durationsMs', async () => {
		sim.configure({ durationsMs: { deck: 60_000 } });
		const short = (await generate(sim, deck('Quick one [sim:seconds=0.25]'))).json.job_id;
		const other = (await generate(sim, deck('Default length'))).json.job_id;
		const [shortJob, otherJob] = sim.jobs();
		// Still running (pending for its first 25 ms only: a loaded machine may be past that).
		expect(['pending', 'processing']).toContain(shortJob.status);
		await sleep(350);
		const done = await status(sim, short);
		expect(done.json.status).toBe('completed');
		expect(done.json.downloads).toHaveLength(1);
		expect((await status(sim, other)).json.status).toBe('pending'); // 60 s deck: still in its first 10 %
		const [shortAfter, otherAfter] = sim.jobs();
		expect(shortAfter.completedAt! - shortAfter.createdAt).toBe(250);
		expect(otherAfter.completedAt).toBeNull();
		expect(otherJob.id).toBe(other);
		// The directive is not part of the slide text.
		const slides = (await readPptx((await download(done.json.downloads[0].url)).bytes)).slides;
		expect(slides[0]).toContain('Quick one');
		expect(slides[0]).not.toContain('[sim:');
	});

	it('is scaled by timeScale like the default durations', async () => {
		sim.configure({ timeScale: 0.01 });
		await generate(sim, deck('Scaled [sim:seconds=30]'));
		await generate(sim, deck('Whole [sim:seconds=.5]'));
		const [scaled, whole] = sim.jobs();
		await sleep(350);
		const [scaledAfter, wholeAfter] = sim.jobs();
		expect(scaledAfter.completedAt! - scaled.createdAt).toBe(300);
		expect(wholeAfter.completedAt! - whole.createdAt).toBe(5);
	});

	it('ignores a malformed value (the job keeps its output type duration)', async () => {
		sim.configure({ durationsMs: { deck: 200 } });
		await generate(sim, deck('Bad [sim:seconds=-3] [sim:seconds=abc]'));
		await sleep(260);
		const [job] = sim.jobs();
		expect(job.completedAt! - job.createdAt).toBe(200);
	});
});

describe("statusRetryAfterSeconds: 'remaining'", () => {
	it('tells the whole seconds the job still needs on generate and status answers, nothing once it ended', async () => {
		sim.configure({ statusRetryAfterSeconds: 'remaining' });
		const started = await generate(sim, deck('Hinted [sim:seconds=2.2]'));
		expect(started.headers.get('retry-after')).toBe('3'); // 2.2 s rounded up
		const id = started.json.job_id;
		await sleep(700);
		const running = await status(sim, id);
		expect(running.json.status).toBe('processing');
		const [job] = sim.jobs();
		const expected = Math.ceil((job.createdAt + 2200 - job.pollTimes[0]) / 1000);
		expect(running.headers.get('retry-after')).toBe(String(expected));
		expect(expected).toBe(2);
		await sleep(1600);
		const done = await status(sim, id);
		expect(done.json.status).toBe('completed');
		expect(done.headers.get('retry-after')).toBeNull();
		// Unknown jobs and errors carry none either.
		expect((await status(sim, 'job_unknown')).headers.get('retry-after')).toBeNull();
	});

	it('says at least 1 second, also in the http-date format', async () => {
		sim.configure({ statusRetryAfterSeconds: 'remaining', retryAfterFormat: 'http-date' });
		const before = Date.now();
		const started = await generate(sim, deck('Almost done [sim:seconds=0.3]'));
		const hinted = Date.parse(started.headers.get('retry-after')!);
		expect(hinted).toBeGreaterThanOrEqual(before + 1000);
		expect(hinted).toBeLessThanOrEqual(Date.now() + 2000);
		sim.configure({ retryAfterFormat: 'seconds' });
		expect((await status(sim, started.json.job_id)).headers.get('retry-after')).toBe('1');
	});

	it('keeps saying 1 for a [sim:never] job past its duration', async () => {
		sim.configure({ statusRetryAfterSeconds: 'remaining' });
		const { json } = await generate(sim, deck('Stuck [sim:never] [sim:seconds=0.1]'));
		await sleep(200);
		const reply = await status(sim, json.job_id);
		expect(reply.json.status).toBe('processing');
		expect(reply.headers.get('retry-after')).toBe('1');
	});

	it('an idempotent replay tells the time the job needs now', async () => {
		sim.configure({ statusRetryAfterSeconds: 'remaining' });
		const body = deck('Once [sim:seconds=5]');
		const first = await generate(sim, body, { headers: { 'idempotency-key': 'bench-replay' } });
		expect(first.headers.get('retry-after')).toBe('5');
		await sleep(1100);
		const replay = await generate(sim, body, { headers: { 'idempotency-key': 'bench-replay' } });
		expect(replay.headers.get('idempotent-replayed')).toBe('true');
		expect(replay.json.job_id).toBe(first.json.job_id);
		expect(replay.headers.get('retry-after')).toBe('4');
	});

	it('is refused in other spellings', () => {
		for (const bad of ['Remaining', 'left', -1, true]) {
			expect(() => sim.configure({ statusRetryAfterSeconds: bad as never })).toThrow(/statusRetryAfterSeconds/);
		}
	});
});

describe('fileSizeBytes', () => {
	it('serves every job one shared .pptx padded to that size: PK, opens, padding stored uncompressed', async () => {
		sim.configure({ timeScale: 0, fileSizeBytes: 3_000_000, extraDownloadFields: true });
		const ids = [(await generate(sim, deck('First'))).json.job_id, (await generate(sim, deck('Second [sim:slides=7]'))).json.job_id];
		const replies = await Promise.all(ids.map(async (id) => await status(sim, id)));
		const entries = replies.map((r) => r.json.downloads[0]);
		expect(entries.map((e) => e.size_bytes)).toEqual([3_000_000, 3_000_000]);
		const [a, b] = await Promise.all(entries.map(async (e) => await download(e.url)));
		expect(a.status).toBe(200);
		expect(a.bytes.length).toBe(3_000_000);
		expect(a.headers.get('content-length')).toBe('3000000');
		expect(a.bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
		expect(b.bytes.equals(a.bytes)).toBe(true); // one file for every job, random padding and all
		// The name still follows the job.
		expect(a.headers.get('content-disposition')).toContain('perceptis-first-deck.pptx');
		expect(b.headers.get('content-disposition')).toContain('perceptis-second-deck.pptx');
		const pptx = await readPptx(a.bytes); // CRCs checked
		expect(pptx.names).toEqual(expect.arrayContaining(['[Content_Types].xml', 'ppt/presentation.xml', 'ppt/media/padding.bin']));
		expect(pptx.slides.length).toBeGreaterThan(0);
		// STORE: the random bytes are in the file as they are, so nothing on the way can shrink it.
		const local = a.bytes.indexOf('ppt/media/padding.bin');
		expect(a.bytes.readUInt16LE(local - 30 + 8)).toBe(0); // compression method 0 = stored
	});

	it('declares the padding part in [Content_Types].xml so the package stays valid', async () => {
		sim.configure({ timeScale: 0, fileSizeBytes: 200_000 });
		const { json } = await generate(sim, deck('Types'));
		const file = await download((await status(sim, json.job_id)).json.downloads[0].url);
		expect(file.bytes.length).toBe(200_000);
		const JSZip = (await import('jszip')).default;
		const zip = await JSZip.loadAsync(file.bytes);
		expect(await zip.file('[Content_Types].xml')!.async('string')).toContain('<Default Extension="bin" ContentType="application/octet-stream"/>');
	});

	it('leaves a file that is already bigger as it is, and null brings back the per-job files', async () => {
		sim.configure({ timeScale: 0, fileSizeBytes: 1_000 });
		const small = await generate(sim, deck('Tiny target'));
		const bytes = (await download((await status(sim, small.json.job_id)).json.downloads[0].url)).bytes;
		expect(bytes.length).toBeGreaterThan(1_000);
		expect((await readPptx(bytes)).names).not.toContain('ppt/media/padding.bin');
		sim.configure({ fileSizeBytes: null });
		const own = await generate(sim, deck('Own text'));
		const ownBytes = (await download((await status(sim, own.json.job_id)).json.downloads[0].url)).bytes;
		expect((await readPptx(ownBytes)).slides[0]).toContain('Own text');
	});

	it('is refused unless null or a positive integer', () => {
		for (const bad of [0, -5, 1.5, '50MB', 2 ** 31]) {
			expect(() => sim.configure({ fileSizeBytes: bad as never })).toThrow(/fileSizeBytes/);
		}
	});
});

it('records what the benchmark measures: request `at`, job createdAt, completedAt and pollTimes', async () => {
	const before = Date.now();
	const { json } = await generate(sim, deck('Timed [sim:seconds=0.2]'));
	await status(sim, json.job_id);
	await sleep(250);
	await status(sim, json.job_id);
	const after = Date.now();
	const [job] = sim.jobs();
	expect(job.createdAt).toBeGreaterThanOrEqual(before);
	expect(job.completedAt).toBe(job.createdAt + 200);
	expect(job.pollTimes).toHaveLength(2);
	expect(job.pollTimes[1]).toBeGreaterThanOrEqual(job.completedAt!);
	const statusRequests = sim.requests.filter((r) => r.path.startsWith('/api/v1/status/'));
	// A request is logged when it arrives and counted as a poll when handled: the same moment, give or take a millisecond.
	expect(statusRequests).toHaveLength(2);
	statusRequests.forEach((r, i) => expect(Math.abs(job.pollTimes[i] - r.at)).toBeLessThanOrEqual(5));
	for (const r of sim.requests) {
		expect(r.at).toBeGreaterThanOrEqual(before);
		expect(r.at).toBeLessThanOrEqual(after);
		expect(r.keyPlan).toBe('business');
	}
});

it('takes the new switches through POST /__sim/config, as the benchmark sets them in the child process', async () => {
	const reply = await call(sim, 'POST', '/__sim/config', {
		key: null,
		body: { statusRetryAfterSeconds: 'remaining', fileSizeBytes: 50_000_000, rateLimit: { max: 5, windowMs: 1000 } },
	});
	expect(reply.status).toBe(200);
	expect(reply.json.variants).toMatchObject({ statusRetryAfterSeconds: 'remaining', fileSizeBytes: 50_000_000 });
	const refused = await call(sim, 'POST', '/__sim/config', { key: null, body: { fileSizeBytes: '50MB' } });
	expect(refused.status).toBe(400);
	expect(refused.json.error.message).toMatch(/fileSizeBytes/);
});
