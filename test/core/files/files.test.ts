import type { JsonObject } from '../../../core/json';
import { fileNamesFor } from '../../../core/files/names';
import { contentProblem, mimeTypeFor, PPTX_MIME_TYPE } from '../../../core/files/types';

/** The name of file `index` of a job whose downloads are `count` copies of `entry`, others empty. */
function fileNameFor(entry: JsonObject, jobId: string, index: number, count: number): string {
	const downloads = Array.from({ length: count }, (_v, i) => (i === index ? entry : {}));
	return fileNamesFor(downloads, jobId)[index];
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);

describe('fileNameFor', () => {
	it.each<[JsonObject, string]>([
		[{ file_name: 'Quarterly Review.pptx' }, 'Quarterly Review.pptx'],
		[{ filename: 'deck.PPTX' }, 'deck.PPTX'],
		[{ fileName: 'variant-2' }, 'variant-2.pptx'],
		[{ name: 'Slide' }, 'Slide.pptx'],
		[{ file_name: '  spaced   out  name ' }, 'spaced out name.pptx'],
	])('uses the API name in %j', (entry, expected) => {
		expect(fileNameFor({ url: 'https://s/x', ...entry }, 'job-1', 0, 1)).toBe(expected);
	});

	it('prefers file_name over filename, fileName and name', () => {
		expect(fileNameFor({ name: 'd', fileName: 'c', filename: 'b', file_name: 'a' }, 'job-1', 0, 1)).toBe('a.pptx');
		expect(fileNameFor({ name: 'd', fileName: 'c', filename: 'b' }, 'job-1', 0, 1)).toBe('b.pptx');
	});

	it.each([
		['exports/2025/q3.pptx', 'q3.pptx'],
		['../../etc/passwd', 'passwd.pptx'],
		['C:\\Users\\me\\deck.pptx', 'deck.pptx'],
		['/abs/path/report', 'report.pptx'],
	])('strips the path parts of %j', (fileName, expected) => {
		expect(fileNameFor({ file_name: fileName }, 'job-1', 0, 1)).toBe(expected);
	});

	it('replaces characters a file system refuses', () => {
		expect(fileNameFor({ file_name: 'a:b*c?"d<e>f|g.pptx' }, 'job-1', 0, 1)).toBe('a-b-c--d-e-f-g.pptx');
		expect(fileNameFor({ file_name: 'tab\there' }, 'job-1', 0, 1)).toBe('tab-here.pptx');
	});

	it('falls back to the job id when the API gives no usable name', () => {
		expect(fileNameFor({ url: 'https://s/x' }, 'job-1', 0, 1)).toBe('perceptis-job-1.pptx');
		expect(fileNameFor({ file_name: '' }, 'job-1', 0, 1)).toBe('perceptis-job-1.pptx');
		expect(fileNameFor({ file_name: 'exports/' }, 'job-1', 0, 1)).toBe('perceptis-job-1.pptx');
		expect(fileNameFor({ file_name: 42 }, 'job-1', 0, 1)).toBe('perceptis-job-1.pptx');
	});

	it('makes a job id safe as a file name', () => {
		expect(fileNameFor({}, 'a/b\\c:d e', 0, 1)).toBe('perceptis-a-b-c-d-e.pptx');
		expect(fileNameFor({}, 'id?with*stars', 0, 1)).toBe('perceptis-id-with-stars.pptx');
		expect(fileNameFor({}, '../../x', 0, 1)).not.toContain('/');
	});

	it('keeps an extension the API gives, and adds .pptx only to a bare name', () => {
		expect(fileNamesFor([{ file_name: 'Board.potx' }], 'j')).toEqual(['Board.potx']);
		expect(fileNamesFor([{ file_name: 'Board.PDF' }], 'j')).toEqual(['Board.PDF']);
		expect(fileNamesFor([{ file_name: 'Board' }], 'j')).toEqual(['Board.pptx']);
	});

	it('gives a name that repeats within a job the suffix of its file, so none overwrites another', () => {
		expect(fileNamesFor([{ file_name: 'slide.pptx' }, { file_name: 'slide.pptx' }, { file_name: 'Slide.pptx' }], 'j')).toEqual([
			'slide.pptx',
			'slide_1.pptx',
			'Slide_2.pptx',
		]);
	});
});

describe('mimeTypeFor', () => {
	it.each([
		['deck.pptx', PPTX_MIME_TYPE],
		['deck.PPTX', PPTX_MIME_TYPE],
		['deck.potx', 'application/vnd.openxmlformats-officedocument.presentationml.template'],
		['deck.ppsx', 'application/vnd.openxmlformats-officedocument.presentationml.slideshow'],
		['deck.ppt', 'application/vnd.ms-powerpoint'],
		['deck.pdf', 'application/pdf'],
	])('gives %s the MIME type %s', (name, mime) => {
		expect(mimeTypeFor(name)).toBe(mime);
	});

	it("uses storage's content type for an extension it does not know, unless it is generic", () => {
		expect(mimeTypeFor('deck.key', { 'content-type': 'application/x-iwork-keynote-sffkey' })).toBe(
			'application/x-iwork-keynote-sffkey',
		);
		expect(mimeTypeFor('deck.key', { 'content-type': 'binary/octet-stream' })).toBe('application/octet-stream');
		expect(mimeTypeFor('deck.key')).toBe('application/octet-stream');
	});
});

describe('contentProblem', () => {
	const pptx = { 'content-type': PPTX_MIME_TYPE };

	it('accepts a .pptx that starts like a ZIP, with any non-document content type', () => {
		expect(contentProblem(ZIP, pptx, 'deck.pptx')).toBeUndefined();
		expect(contentProblem(ZIP, { 'content-type': 'application/octet-stream' }, 'deck.pptx')).toBeUndefined();
		expect(contentProblem(ZIP, {}, 'deck.pptx')).toBeUndefined();
	});

	it('names a 200 sign-in page by its title and content type', () => {
		const page = Buffer.from('<!doctype html><html><head><title>Sign in</title></head><body>Link expired</body></html>');
		expect(contentProblem(page, { 'content-type': 'text/html; charset=utf-8' }, 'deck.pptx')).toBe(
			'an HTML page titled "Sign in" (Content-Type text/html)',
		);
	});

	it('refuses an XML error document, a JSON document and plain text that claim to be the file', () => {
		expect(contentProblem(Buffer.from('<?xml version="1.0"?><Error/>'), { 'content-type': 'application/xml' }, 'a.pptx')).toBe(
			'an HTML or XML page (Content-Type application/xml)',
		);
		expect(contentProblem(Buffer.from('{"error":"expired"}'), {}, 'a.pptx')).toBe('a JSON document');
		expect(contentProblem(Buffer.from('This link has expired.'), { 'content-type': 'application/octet-stream' }, 'a.pptx')).toBe(
			'a file that does not start like a .pptx file (Content-Type application/octet-stream)',
		);
		expect(contentProblem(Buffer.alloc(0), pptx, 'a.pptx')).toBe('an empty file');
	});

	it('refuses a ZIP served as an HTML page, since the content type says a page was meant', () => {
		expect(contentProblem(ZIP, { 'content-type': 'text/html' }, 'deck.pptx')).toContain('Content-Type text/html');
	});

	it('checks the signature of the type the file name says, and only the content type for unknown types', () => {
		expect(contentProblem(Buffer.from('%PDF-1.7'), {}, 'deck.pdf')).toBeUndefined();
		expect(contentProblem(ZIP, {}, 'deck.pdf')).toBe('a file that does not start like a .pdf file');
		expect(contentProblem(Buffer.from('anything'), {}, 'deck.key')).toBeUndefined();
		expect(contentProblem(Buffer.from('<html></html>'), { 'content-type': 'text/html' }, 'deck.key')).toBeDefined();
	});
});
