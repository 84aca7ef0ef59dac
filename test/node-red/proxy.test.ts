/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The node honours http_proxy and no_proxy as Node-RED's own http request node does: a forward
 * proxy on 127.0.0.1 sees every request of a deck (the API's and the download), and none once
 * no_proxy names the host.
 */
import http from 'http';
import type { AddressInfo } from 'net';

import { helper, loadFlow, useFastSimulator } from './flows';

const sim = useFastSimulator();

/** A forward proxy for plain http: it records the absolute URL of each request and passes it on. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
	const seen: string[] = [];
	const server = http.createServer((req, res) => {
		seen.push(`${req.method} ${req.url}`);
		const target = new URL(req.url ?? '');
		const upstream = http.request(
			{ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy, NO_PROXY: process.env.NO_PROXY, HTTP_PROXY: process.env.HTTP_PROXY };
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeEach(async () => {
	proxy = await startProxy();
	process.env.http_proxy = proxy.url;
	delete process.env.HTTP_PROXY;
	delete process.env.no_proxy;
	delete process.env.NO_PROXY;
});

afterEach(async () => {
	await helper.unload();
	await proxy.close();
	for (const [name, value] of Object.entries(saved)) {
		if (value === undefined) delete process.env[name];
		else process.env[name] = value;
	}
});

it('sends every request of a deck through http_proxy', async () => {
	const flow = await loadFlow(sim);
	flow.send({ payload: 'A deck through the proxy' });
	const [msg] = await flow.out.next(1);
	expect(Buffer.isBuffer(msg.payload)).toBe(true);
	expect(proxy.seen).toContainEqual(`POST ${sim.origin}/api/v1/generate`);
	expect(proxy.seen).toContainEqual(expect.stringMatching(new RegExp(`^GET ${sim.origin}/api/v1/status/`)));
	expect(proxy.seen).toContainEqual(expect.stringMatching(new RegExp(`^GET ${sim.storageOrigin}/files/`)));
});

it('goes direct to the hosts no_proxy names', async () => {
	process.env.no_proxy = '127.0.0.1';
	const flow = await loadFlow(sim);
	flow.send({ payload: 'A deck around the proxy' });
	await flow.out.next(1);
	expect(proxy.seen).toEqual([]);
	expect(sim.jobs()).toHaveLength(1);
});
