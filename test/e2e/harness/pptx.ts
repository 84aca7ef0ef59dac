/**
 * Checks that bytes are a PowerPoint file: a PK zip whose central directory lists
 * ppt/presentation.xml. No zip library: the central directory is read by hand.
 */
export function zipEntryNames(bytes: Buffer): string[] {
	// End of central directory record: signature 0x06054b50, at least 22 bytes from the end.
	let eocd = -1;
	for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
		if (bytes.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) throw new Error('not a zip file: no end-of-central-directory record');
	const entries = bytes.readUInt16LE(eocd + 10);
	let offset = bytes.readUInt32LE(eocd + 16);
	const names: string[] = [];
	for (let n = 0; n < entries; n++) {
		if (bytes.readUInt32LE(offset) !== 0x02014b50) throw new Error(`corrupt central directory at ${offset}`);
		const nameLength = bytes.readUInt16LE(offset + 28);
		const extraLength = bytes.readUInt16LE(offset + 30);
		const commentLength = bytes.readUInt16LE(offset + 32);
		names.push(bytes.toString('utf8', offset + 46, offset + 46 + nameLength));
		offset += 46 + nameLength + extraLength + commentLength;
	}
	return names;
}

export interface PptxSummary {
	entries: string[];
	slides: number;
}

/** Throws unless `bytes` is a PowerPoint file; returns its entries and slide count. */
export function assertPptx(bytes: Buffer): PptxSummary {
	if (bytes.length < 4 || bytes.toString('latin1', 0, 2) !== 'PK') {
		throw new Error(`not a PK zip (starts with ${JSON.stringify(bytes.toString('latin1', 0, 16))})`);
	}
	const entries = zipEntryNames(bytes);
	if (!entries.includes('ppt/presentation.xml')) {
		throw new Error(`zip without ppt/presentation.xml: ${entries.slice(0, 20).join(', ')}`);
	}
	const slides = entries.filter((e) => /^ppt\/slides\/slide\d+\.xml$/.test(e)).length;
	return { entries, slides };
}

export const PPTX_MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** Throws unless a webhook answered 200 with a PowerPoint file; returns the file's summary. */
export function pptxResponse(response: { status: number; headers: Record<string, unknown>; data: unknown }): PptxSummary {
	const type = String(response.headers['content-type'] ?? '');
	if (response.status !== 200 || !type.includes(PPTX_MIME)) {
		throw new Error(`expected 200 with a .pptx, got ${response.status} ${type}`);
	}
	return assertPptx(Buffer.from(response.data as ArrayBuffer));
}
