import type { IDataObject } from 'n8n-workflow';

import { binaryPropertyFor, fileNameFor, PPTX_MIME_TYPE } from '../../nodes/Perceptis/helpers/binary';

describe('binaryPropertyFor', () => {
	it('puts the first file under the name given, the next ones under _1, _2, …', () => {
		expect(binaryPropertyFor('data', 0)).toBe('data');
		expect(binaryPropertyFor('data', 1)).toBe('data_1');
		expect(binaryPropertyFor('data', 2)).toBe('data_2');
		expect(binaryPropertyFor('slides', 10)).toBe('slides_10');
	});
});

describe('fileNameFor', () => {
	it.each<[IDataObject, string]>([
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

	it('numbers the files of a job with several files from -1', () => {
		expect(fileNameFor({}, 'job-9', 0, 3)).toBe('perceptis-job-9-1.pptx');
		expect(fileNameFor({}, 'job-9', 1, 3)).toBe('perceptis-job-9-2.pptx');
		expect(fileNameFor({}, 'job-9', 2, 3)).toBe('perceptis-job-9-3.pptx');
	});

	it('uses the PowerPoint MIME type', () => {
		expect(PPTX_MIME_TYPE).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
	});
});
