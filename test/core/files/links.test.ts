import { linksMarker, reusableLinks } from '../../../core/files/links';
import { TIMING } from '../../../core/pacing/timing';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const downloads = [{ url: 'https://storage.example.com/job-1/0.pptx?sig=a', slide_count: 3 }];
const item = (over: Record<string, unknown> = {}) => ({
	jobId: 'job-1',
	status: 'completed',
	downloads,
	downloadLinks: linksMarker(NOW - 500),
	...over,
});

describe('linksMarker', () => {
	it('marks the links as short-lived, with when they were fetched and how to get fresh ones', () => {
		expect(linksMarker(NOW)).toEqual({
			shortLived: true,
			fetchedAt: '2026-11-27T10:00:00.000Z',
			note: expect.stringContaining('Download'),
		});
	});
});

describe('reusableLinks', () => {
	it('hands on the links of the same completed job fetched moments ago', () => {
		const links = reusableLinks(item(), 'job-1', NOW);
		expect(links).toEqual({
			downloads,
			fetchedAtMs: NOW - 500,
			raw: { jobId: 'job-1', status: 'completed', downloads },
		});
	});

	it.each([
		['another job', item(), 'job-2', NOW],
		['links older than the reuse window', item(), 'job-1', NOW + TIMING.linkReuseMaxAgeMs + 1],
		['a marker from the future', item(), 'job-1', NOW - 10_000],
		['no marker (links from elsewhere)', item({ downloadLinks: undefined }), 'job-1', NOW],
		['a job that is not completed', item({ status: 'processing' }), 'job-1', NOW],
		['no links', item({ downloads: [] }), 'job-1', NOW],
		['a link that is not http(s)', item({ downloads: [{ url: 'ftp://x/y.pptx' }] }), 'job-1', NOW],
		[
			'a link whose expires_at has passed',
			item({ downloads: [{ url: 'https://s/x.pptx', expires_at: '2026-11-27T09:59:59Z' }] }),
			'job-1',
			NOW,
		],
	])('does not reuse %s', (_what, json, jobId, now) => {
		expect(reusableLinks(json, jobId as string, now as number)).toBeUndefined();
	});
});
