import {
	API_PREFIX,
	BaseUrlError,
	DEFAULT_PERCEPTIS_ORIGIN,
	normalizeBaseUrl,
} from '../../core/origin';

function rejection(typed: unknown): BaseUrlError {
	try {
		normalizeBaseUrl(typed);
	} catch (error) {
		expect(error).toBeInstanceOf(BaseUrlError);
		return error as BaseUrlError;
	}
	throw new Error(`normalizeBaseUrl(${JSON.stringify(typed)}) did not throw`);
}

describe('normalizeBaseUrl', () => {
	it('uses the documented production origin and API prefix', () => {
		expect(DEFAULT_PERCEPTIS_ORIGIN).toBe('https://app.perceptis.ai');
		expect(API_PREFIX).toBe('/api/v1');
	});

	it.each([
		['https://app.perceptis.ai', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai/', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai//', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai/api', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai/api/', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai/api/v1', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai/api/v1/', 'https://app.perceptis.ai'],
		['  https://app.perceptis.ai/api/v1/  ', 'https://app.perceptis.ai'],
		['https://app.perceptis.ai:443/', 'https://app.perceptis.ai'],
		['https://eu.perceptis.example:8443/api/v1', 'https://eu.perceptis.example:8443'],
		['HTTPS://App.Perceptis.AI/api', 'https://app.perceptis.ai'],
	])('normalises %j to %j', (typed, expected) => {
		expect(normalizeBaseUrl(typed)).toBe(expected);
	});

	it.each([[''], ['   '], [undefined], [null], [42]])('uses the default origin for %j', (typed) => {
		expect(normalizeBaseUrl(typed)).toBe('https://app.perceptis.ai');
	});

	it.each([
		['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
		['http://127.0.0.1:8787/api/v1/', 'http://127.0.0.1:8787'],
		['http://localhost:5678/', 'http://localhost:5678'],
		['http://localhost', 'http://localhost'],
		['http://[::1]:9000/api', 'http://[::1]:9000'],
		['http://127.0.0.2:3000', 'http://127.0.0.2:3000'],
	])('allows plain http to the loopback host %j', (typed, expected) => {
		expect(normalizeBaseUrl(typed)).toBe(expected);
	});

	it.each([
		['https://app.perceptis.ai/api/v2', '/api/v2'],
		['https://app.perceptis.ai/api/v1/generate', '/api/v1/generate'],
		['https://app.perceptis.ai/dashboard', '/dashboard'],
		['https://app.perceptis.ai/v1', '/v1'],
	])('rejects the path of %j and says what to type instead', (typed, path) => {
		const error = rejection(typed);
		expect(error.name).toBe('BaseUrlError');
		expect(error.message).toContain(`"${typed}"`);
		expect(error.message).toContain(path);
		expect(error.remedy).toBe(`Type https://app.perceptis.ai (without "${path}")`);
	});

	it.each([['ftp://app.perceptis.ai'], ['file:///etc/hosts'], ['ws://localhost:8080'], ['javascript:alert(1)']])(
		'rejects the scheme of %j',
		(typed) => {
			const error = rejection(typed);
			expect(error.message).toContain(`"${typed}"`);
			expect(error.message).toMatch(/not supported/);
			expect(error.remedy).toContain('https://app.perceptis.ai');
			expect(error.remedy).toContain('https://');
		},
	);

	it.each([
		['http://app.perceptis.ai', 'https://app.perceptis.ai'],
		['http://app.perceptis.ai/api/v1', 'https://app.perceptis.ai'],
		['http://10.0.0.5:8080', 'https://10.0.0.5:8080'],
		['http://localhost.evil.example', 'https://localhost.evil.example'],
		['http://127.0.0.1.evil.example', 'https://127.0.0.1.evil.example'],
	])('rejects plain http to the remote host %j', (typed, secure) => {
		const error = rejection(typed);
		expect(error.message).toContain(`"${typed}"`);
		expect(error.message).toMatch(/unencrypted/);
		expect(error.remedy).toBe(`Use ${secure} instead`);
	});

	it.each([
		['https://user:secret@app.perceptis.ai'],
		['https://user@app.perceptis.ai/'],
		['https://app.perceptis.ai/?key=abc'],
		['https://app.perceptis.ai/api/v1?x=1'],
		['https://app.perceptis.ai/#top'],
	])('rejects credentials, a query or a fragment in %j', (typed) => {
		const error = rejection(typed);
		expect(error.message).toContain(`"${typed}"`);
		expect(error.message).toMatch(/credentials, a query or a fragment/);
		expect(error.remedy).toContain('Type the origin only, for example https://app.perceptis.ai');
		expect(error.remedy).toContain('API Key field');
	});

	it.each([['app.perceptis.ai'], ['not a url'], ['https://']])('rejects %j as not a URL', (typed) => {
		const error = rejection(typed);
		expect(error.message).toBe(`The Perceptis Base URL "${typed}" is not a URL`);
		expect(error.remedy).toBe('Type the origin only, for example https://app.perceptis.ai');
	});
});
