'use strict';
/**
 * Padding a real .pptx to a given size, for memory benchmarks (`fileSizeBytes`): one uncompressed
 * (STORE) entry of random bytes is added to the presentation's zip, and `[Content_Types].xml` gets a
 * default content type for it, so the result still starts with PK, opens as a .pptx and cannot be
 * compressed away by anything on the way. Runs in the rendering worker (see pptx-worker.js).
 */
const crypto = require('crypto');
const JSZip = require('jszip');

const PADDING_ENTRY = 'ppt/media/padding.bin';
const CONTENT_TYPES = '[Content_Types].xml';
/** Local file header (30) + central directory header (46), each followed by the entry's name. */
const ENTRY_OVERHEAD = 30 + 46 + 2 * Buffer.byteLength(PADDING_ENTRY);

/** Returns a .pptx of about `targetBytes` bytes (never smaller than `base`, which is returned as is if already that big). */
async function padPptx(base, targetBytes) {
	if (base.length >= targetBytes) return base;
	const zip = await JSZip.loadAsync(base);
	const types = zip.file(CONTENT_TYPES);
	if (!types) throw new Error(`not a .pptx: no ${CONTENT_TYPES}`);
	let xml = await types.async('string');
	if (!/<Default Extension="bin"/i.test(xml)) {
		xml = xml.replace(/<Types\b[^>]*>/, (open) => `${open}<Default Extension="bin" ContentType="application/octet-stream"/>`);
	}
	zip.file(CONTENT_TYPES, xml);
	// DEFLATE as a whole: entries loaded already deflated keep their compressed bytes; the padding
	// entry says STORE for itself.
	const generate = async () => await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
	const unpadded = await generate();
	const paddingBytes = targetBytes - unpadded.length - ENTRY_OVERHEAD;
	if (paddingBytes <= 0) return unpadded;
	zip.file(PADDING_ENTRY, crypto.randomBytes(paddingBytes), { binary: true, compression: 'STORE' });
	return await generate();
}

module.exports = { padPptx, PADDING_ENTRY };
