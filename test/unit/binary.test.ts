/** The n8n binary fields a job's files go to: the same numbering as the core's file names. */
import { fileNamesFor } from '../../core/files/names';
import { binaryPropertyFor } from '../../nodes/Perceptis/n8n/binary';

describe('binaryPropertyFor', () => {
	it('puts the first file under the name given, the next ones under _1, _2, …', () => {
		expect(binaryPropertyFor('data', 0)).toBe('data');
		expect(binaryPropertyFor('data', 1)).toBe('data_1');
		expect(binaryPropertyFor('data', 2)).toBe('data_2');
		expect(binaryPropertyFor('slides', 10)).toBe('slides_10');
	});
});

describe('file names and binary fields', () => {
	it('numbers the files of a job like their binary fields: data, data_1, data_2', () => {
		const names = fileNamesFor([{}, {}, {}], 'job-9');
		expect(names).toEqual(['perceptis-job-9.pptx', 'perceptis-job-9_1.pptx', 'perceptis-job-9_2.pptx']);
		expect(names.map((_n, i) => binaryPropertyFor('data', i))).toEqual(['data', 'data_1', 'data_2']);
	});

});
