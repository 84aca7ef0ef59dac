/**
 * What a job's files must look like, by type. Pure functions: the job task uses them to refuse a
 * storage answer that is not the file (a sign-in page, an error document), and the hosts to type
 * the file they keep.
 */
import { extensionOf } from './names';
import { describeAnswerShape } from '../wire/answers';

export const PPTX_MIME_TYPE =
	'application/vnd.openxmlformats-officedocument.presentationml.presentation';

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

interface FileType {
	mimeType: string;
	/** The bytes every file of this type starts with, where there are such bytes. */
	signature?: Buffer;
}

/** The types Perceptis may plausibly hand out; the extension of the API's file name decides. */
const FILE_TYPES: Record<string, FileType> = {
	pptx: { mimeType: PPTX_MIME_TYPE, signature: ZIP_SIGNATURE },
	potx: { mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.template', signature: ZIP_SIGNATURE },
	ppsx: { mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.slideshow', signature: ZIP_SIGNATURE },
	pptm: { mimeType: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12', signature: ZIP_SIGNATURE },
	ppt: { mimeType: 'application/vnd.ms-powerpoint', signature: OLE_SIGNATURE },
	zip: { mimeType: 'application/zip', signature: ZIP_SIGNATURE },
	pdf: { mimeType: 'application/pdf', signature: Buffer.from('%PDF') },
	png: { mimeType: 'image/png', signature: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
	jpg: { mimeType: 'image/jpeg', signature: Buffer.from([0xff, 0xd8, 0xff]) },
	jpeg: { mimeType: 'image/jpeg', signature: Buffer.from([0xff, 0xd8, 0xff]) },
};

/** Content types that storage uses for pages and error documents, never for a presentation. */
const DOCUMENT_CONTENT_TYPES = /^(text\/html|application\/xhtml\+xml|text\/xml|application\/xml|application\/json)$/;

function contentTypeOf(headers: Record<string, unknown>): string {
	const raw = headers['content-type'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	return typeof value === 'string' ? value.split(';')[0].trim().toLowerCase() : '';
}

/** The MIME type for a file name: by its extension, else what storage said, else generic. */
export function mimeTypeFor(fileName: string, headers: Record<string, unknown> = {}): string {
	const known = FILE_TYPES[extensionOf(fileName)];
	if (known) return known.mimeType;
	const sent = contentTypeOf(headers);
	return sent && sent !== 'application/octet-stream' && sent !== 'binary/octet-stream' ? sent : 'application/octet-stream';
}

/**
 * Why a storage answer is not the file it should be, in words, or undefined when it is. Storage
 * and proxies answer expired or blocked links with a `200` sign-in page or an error document;
 * saved as a `.pptx` it would break the next node far from the cause. `head` is the first bytes.
 */
export function contentProblem(head: Buffer, headers: Record<string, unknown>, fileName: string): string | undefined {
	if (head.length === 0) return 'an empty file';
	const contentType = contentTypeOf(headers);
	const expected = FILE_TYPES[extensionOf(fileName)];
	const signatureMatches = expected?.signature ? head.subarray(0, expected.signature.length).equals(expected.signature) : true;
	if (signatureMatches && !DOCUMENT_CONTENT_TYPES.test(contentType)) return undefined;
	const start = head.toString('latin1', 0, 64);
	const shape = /^\s*</.test(start)
		? describeAnswerShape(head.toString('utf8'))
		: /^\s*[{[]/.test(start)
			? 'a JSON document'
			: `a file that does not start like a .${extensionOf(fileName) || 'pptx'} file`;
	return contentType ? `${shape} (Content-Type ${contentType})` : shape;
}
