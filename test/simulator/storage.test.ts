/**
 * The object-storage server: real .pptx files behind signed, expiring links, S3-like XML errors,
 * and a visible failure when a client sends its API key to the storage host.
 */
import { download, generate, readPptx, sleep, status, waitFinal, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 0 }); // jobs complete at once

async function completedJob(body: Record<string, unknown>) {
	const { json } = await generate(sim, body);
	const reply = await waitFinal(sim, json.job_id);
	expect(reply.json.status).toBe('completed');
	return { id: json.job_id as string, downloads: reply.json.downloads as Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's download entries
}

describe('downloads', () => {
	it('serves a deck as a real .pptx with the prompt on every slide', async () => {
		const { downloads } = await completedJob({ prompt: 'Roadmap & <goals> for 2026 [sim:slides=4]', output_type: 'deck' });
		const file = await download(downloads[0].url);
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.pptx"$/);
		expect(file.bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04])); // "PK\3\4"
		const pptx = await readPptx(file.bytes);
		expect(pptx.names).toEqual(expect.arrayContaining(['[Content_Types].xml', 'ppt/presentation.xml', '_rels/.rels']));
		expect(pptx.slides).toHaveLength(4);
		expect(pptx.presentation!.match(/<p:sldId /g)).toHaveLength(4);
		for (const xml of pptx.slides) {
			// Text is XML-escaped, and the simulator directive is not part of it.
			expect(xml).toContain('Roadmap &amp; &lt;goals&gt; for 2026');
			expect(xml).not.toContain('[sim:');
		}
	});

	it('serves one single-slide file per variant, cached between downloads', async () => {
		const { downloads } = await completedJob({ prompt: 'Team photo slide', output_type: 'single_slide', variant_count: 2 });
		const [a, b] = await Promise.all(downloads.map((d) => download(d.url)));
		expect([a.status, b.status]).toEqual([200, 200]);
		expect((await readPptx(a.bytes)).slides).toHaveLength(1);
		expect((await readPptx(b.bytes)).slides[0]).toContain('Variant 2 of 2');
		const again = await download(downloads[0].url);
		expect(again.bytes.equals(a.bytes)).toBe(true);
		expect(sim.requests.filter((r) => r.server === 'storage').map((r) => r.status)).toEqual([200, 200, 200]);
	});

	it('gives fresh links on every poll, and the old ones keep working until they expire', async () => {
		const { id, downloads } = await completedJob({ prompt: 'x', output_type: 'deck' });
		const next = (await status(sim, id)).json.downloads;
		expect(next[0].url).not.toBe(downloads[0].url);
		expect((await download(downloads[0].url)).status).toBe(200);
		expect((await download(next[0].url)).status).toBe(200);
	});

	it('returns only url and slide_count by default, and more with extraDownloadFields', async () => {
		const plain = await completedJob({ prompt: 'x', output_type: 'single_slide' });
		expect(Object.keys(plain.downloads[0]).sort()).toEqual(['slide_count', 'url']);
		sim.configure({ extraDownloadFields: true, linkTtlMs: 5000 });
		const before = Date.now();
		const rich = await completedJob({ prompt: 'Sales kickoff', output_type: 'single_slide', variant_count: 2 });
		expect(rich.downloads.map((d) => d.variant_index)).toEqual([0, 1]);
		for (const item of rich.downloads) {
			expect(item.file_name).toMatch(/^perceptis-sales-kickoff-variant-\d\.pptx$/);
			const expiresAt = Date.parse(item.expires_at);
			expect(expiresAt).toBeGreaterThanOrEqual(before + 5000);
			expect(expiresAt).toBeLessThan(Date.now() + 5100);
			const file = await download(item.url);
			expect(item.size_bytes).toBe(file.bytes.length);
			expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${item.file_name}"`);
		}
	});
});

describe('fileNameExtension', () => {
	it('names the file with another extension in file_name and Content-Disposition; the bytes stay a .pptx', async () => {
		sim.configure({ extraDownloadFields: true, fileNameExtension: 'zip' });
		const deck = await completedJob({ prompt: 'Board update', output_type: 'deck' });
		expect(deck.downloads[0].file_name).toBe('perceptis-board-update-deck.zip');
		const file = await download(deck.downloads[0].url);
		expect(file.headers.get('content-disposition')).toBe('attachment; filename="perceptis-board-update-deck.zip"');
		expect(file.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect((await readPptx(file.bytes)).slides).toHaveLength(3);
		// The object path keeps .pptx: the switch plays a misleading name, not a different link.
		expect(new URL(deck.downloads[0].url).pathname).toMatch(/\.pptx$/);
		sim.configure({ fileNameExtension: 'bin' });
		const single = await completedJob({ prompt: 'Board update', output_type: 'single_slide', variant_count: 2 });
		expect(single.downloads.map((d) => d.file_name)).toEqual([
			'perceptis-board-update-variant-1.bin',
			'perceptis-board-update-variant-2.bin',
		]);
		expect((await download(single.downloads[1].url)).headers.get('content-disposition')).toBe(
			'attachment; filename="perceptis-board-update-variant-2.bin"',
		);
	});
});

describe('link checks', () => {
	it('rejects an expired link with 403 XML (linkTtlMs)', async () => {
		sim.configure({ linkTtlMs: 150 });
		const { id, downloads } = await completedJob({ prompt: 'x', output_type: 'deck' });
		expect((await download(downloads[0].url)).status).toBe(200);
		await sleep(250);
		const expired = await download(downloads[0].url);
		expect(expired.status).toBe(403);
		expect(expired.headers.get('content-type')).toBe('application/xml');
		expect(expired.text).toMatch(/<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
		// A new poll hands out a working link again.
		expect((await download((await status(sim, id)).json.downloads[0].url)).status).toBe(200);
	});

	it('rejects a tampered or unsigned link with 403, and an unknown object with 404', async () => {
		const { downloads } = await completedJob({ prompt: 'x', output_type: 'deck' });
		const url = new URL(downloads[0].url);
		const tampered = new URL(url.href);
		tampered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 60000));
		const bad = await download(tampered.href);
		expect(bad.status).toBe(403);
		expect(bad.text).toContain('<Code>SignatureDoesNotMatch</Code>');
		expect((await download(`${sim.storageOrigin}${url.pathname}`)).status).toBe(403);
		// After reset() the job is gone: the link is still validly signed, the object no longer exists.
		sim.reset();
		const gone = await download(url.href);
		expect(gone.status).toBe(404);
		expect(gone.text).toContain('<Code>NoSuchKey</Code>');
	});

	it('answers 400 XML when a request carries an Authorization header, and records it', async () => {
		const { downloads } = await completedJob({ prompt: 'x', output_type: 'deck' });
		const leaked = await download(downloads[0].url, { authorization: `Bearer ${sim.keys.business}` });
		expect(leaked.status).toBe(400);
		expect(leaked.headers.get('content-type')).toBe('application/xml');
		expect(leaked.text).toContain('<Code>InvalidArgument</Code>');
		expect(leaked.text).toContain('Only one auth mechanism allowed');
		expect(leaked.text).not.toContain(sim.keys.business);
		const entry = sim.requests[sim.requests.length - 1];
		expect(entry).toMatchObject({ server: 'storage', method: 'GET', status: 400, keyPlan: 'business' });
		expect(entry.path).toBe(new URL(downloads[0].url).pathname + new URL(downloads[0].url).search);
	});

	it('does not serve files of a job that is not completed', async () => {
		// Pending for the first 10 % (400 ms): room for a busy machine (10 ms once failed in CI).
		sim.configure({ timeScale: 1, durationsMs: { deck: 4000 } });
		const { json } = await generate(sim, { prompt: 'x [sim:never]', output_type: 'deck' });
		expect((await status(sim, json.job_id)).json).toMatchObject({ status: 'pending' });
		await sleep(500);
		const reply = await status(sim, json.job_id);
		expect(reply.json.status).toBe('processing');
		expect(reply.json.downloads).toBeUndefined();
	});
});
