/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * A throwaway redis-server (Debian's `redis-server` package) for n8n's queue: a free port on
 * 127.0.0.1, no persistence (no RDB snapshots, no AOF), its working folder in a temp dir.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { stopProcessGroup, trackProcess, type RedisConnection } from './n8n';
import { freePorts } from './ports';
import { logTail, whenReady, type ServiceLifecycle } from './service';

export interface RedisServer extends RedisConnection, ServiceLifecycle {
	dir: string;
	logPath: string;
	pid: number;
	/** Milliseconds from spawn to the first PONG. */
	startMs: number;
	/** Sends a command (inline protocol) and returns the raw answer, e.g. `await redis.command('PING')`. */
	command(line: string): Promise<string>;
}

export function findRedisServer(): string {
	const candidates = [process.env.PERCEPTIS_REDIS_SERVER, '/usr/bin/redis-server'];
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'redis-server'));
	const found = candidates.find((file): file is string => !!file && fs.existsSync(file));
	if (!found) {
		throw new Error('redis-server is not installed. Install it: apt-get install -y redis-server (or set PERCEPTIS_REDIS_SERVER).');
	}
	return found;
}

/** One inline command over a fresh TCP connection; the first reply chunk. */
async function redisCommand(port: number, line: string, timeoutMs = 2_000): Promise<string> {
	return await new Promise<string>((resolve, reject) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error(`redis on ${port}: no answer to ${line} in ${timeoutMs} ms`));
		}, timeoutMs);
		socket.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		socket.once('connect', () => socket.write(`${line}\r\n`));
		socket.once('data', (chunk) => {
			clearTimeout(timer);
			socket.end();
			resolve(chunk.toString());
		});
	});
}

export async function startRedis(): Promise<RedisServer> {
	const redisServer = findRedisServer();
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-redis-'));
	const logPath = path.join(dir, 'redis.log');
	const [port] = await freePorts(1);
	const out = fs.openSync(logPath, 'a');
	const child: ChildProcess = spawn(
		redisServer,
		[
			'--port', String(port),
			'--bind', '127.0.0.1',
			'--protected-mode', 'yes',
			'--save', '',
			'--appendonly', 'no',
			'--dir', dir,
			'--daemonize', 'no',
			'--logfile', '',
		],
		{ cwd: dir, detached: true, stdio: ['ignore', out, out] },
	);
	fs.closeSync(out);
	trackProcess(child);
	const stop = async () => await stopProcessGroup(child, 10_000);

	const lifecycle = await whenReady(dir, stop, async () => {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`redis-server exited (code ${child.exitCode}, signal ${child.signalCode}). Log ${logPath}:\n${logTail(logPath)}`);
			}
			try {
				if ((await redisCommand(port, 'PING')).startsWith('+PONG')) return;
			} catch {
				// not listening yet
			}
			if (Date.now() - started > 30_000) {
				throw new Error(`redis-server did not answer PING in 30 s. Log ${logPath}:\n${logTail(logPath)}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	});

	return {
		host: '127.0.0.1',
		port,
		dir,
		logPath,
		pid: child.pid as number,
		startMs: Date.now() - started,
		command: async (line) => await redisCommand(port, line),
		...lifecycle,
	};
}
