/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Ports for servers the harness starts itself (n8n, its runner broker, a worker's health port).
 *
 * They are picked below the kernel's ephemeral range (`ip_local_port_range`, 32768–60999 by
 * default): the OS hands out ports of that range for `listen(0)` and for every outgoing
 * connection, so with two dozen simulators and their clients busy, a port that was free a moment
 * ago could be taken before n8n, seconds into its boot, binds it ("port … is already in use" broke
 * a fault-table round in CI). Nothing takes a port below that range unless asked for it.
 */
import * as fs from 'fs';
import * as net from 'net';

const LOWEST = 20_000;

function ephemeralRangeStart(): number {
	try {
		const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
		if (Number.isInteger(low) && low > LOWEST + 1000) return low;
	} catch {
		// not Linux: the IANA dynamic range starts at 49152
	}
	return 32_768;
}

const HIGHEST = ephemeralRangeStart() - 1;
/** Handed out by this process: never twice, even before the first server binds it. */
const handedOut = new Set<number>();

/** Whether a server could listen on `port` of 127.0.0.1 now (a stopped server must leave it free). */
export async function portIsFree(port: number): Promise<boolean> {
	return await new Promise<boolean>((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** A TCP port free on 127.0.0.1, outside the range the OS picks from by itself. */
export async function freePort(): Promise<number> {
	for (let attempt = 0; attempt < 500; attempt++) {
		const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
		if (handedOut.has(port) || !(await portIsFree(port))) continue;
		handedOut.add(port);
		return port;
	}
	throw new Error(`no free port between ${LOWEST} and ${HIGHEST} on 127.0.0.1 after 500 tries`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
	const ports: number[] = [];
	while (ports.length < count) ports.push(await freePort());
	return ports;
}
