/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * A throwaway PostgreSQL server (Debian's `postgresql` package) for n8n in queue mode: its own data
 * folder in a temp dir, a free port on 127.0.0.1, its unix socket in that temp dir. initdb and
 * postgres refuse to run as root, so as root they run as the `postgres` user (made by Debian's
 * package) or else `nobody`, and the temp dir is handed to that user.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { stopProcessGroup, trackProcess, type PostgresConnection } from './n8n';
import { freePorts } from './ports';
import { logTail, whenReady, type ServiceLifecycle } from './service';

/** Test values, not secrets: the server listens on 127.0.0.1 only and is deleted afterwards. */
const DB_USER = 'n8n';
const DB_PASSWORD = 'perceptis-e2e-db-password-not-a-secret';
const DB_NAME = 'n8n';
const READY = 'database system is ready to accept connections';

/** stop() is postgres' fast shutdown (SIGINT) and keeps the folder. */
export interface PostgresServer extends PostgresConnection, ServiceLifecycle {
	/** The temp folder: data/, sock/, postgres.log. */
	dir: string;
	dataDir: string;
	socketDir: string;
	logPath: string;
	pid: number;
	/** The OS user the server runs as. */
	osUser: string;
	/** Milliseconds from initdb to a created database. */
	startMs: number;
}

/** The folder with initdb, postgres and createdb: PERCEPTIS_PG_BIN, Debian's newest, or PATH. */
export function findPostgresBin(): string {
	const candidates: string[] = [];
	if (process.env.PERCEPTIS_PG_BIN) candidates.push(process.env.PERCEPTIS_PG_BIN);
	const debian = '/usr/lib/postgresql';
	if (fs.existsSync(debian)) {
		const versions = fs
			.readdirSync(debian)
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a));
		candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
	}
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
	const found = candidates.find((dir) => ['initdb', 'postgres', 'createdb'].every((b) => fs.existsSync(path.join(dir, b))));
	if (!found) {
		throw new Error(
			'PostgreSQL is not installed (no initdb/postgres/createdb in /usr/lib/postgresql/*/bin or PATH). ' +
				'Install it: apt-get install -y postgresql (or set PERCEPTIS_PG_BIN).',
		);
	}
	return found;
}

/** uid/gid of a local user from /etc/passwd, or undefined. */
function lookupUser(name: string): { uid: number; gid: number } | undefined {
	try {
		for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
			const [user, , uid, gid] = line.split(':');
			if (user === name) return { uid: Number(uid), gid: Number(gid) };
		}
	} catch {
		// no passwd file
	}
	return undefined;
}

/**
 * As root: the unprivileged user postgres runs as (PERCEPTIS_PG_OS_USER, else `postgres`, else
 * `nobody`). Otherwise undefined (run as ourselves).
 */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const wanted = process.env.PERCEPTIS_PG_OS_USER;
	for (const name of wanted ? [wanted] : ['postgres', 'nobody']) {
		const ids = lookupUser(name);
		if (ids && ids.uid !== 0) return { name, ...ids };
	}
	throw new Error(
		wanted
			? `PERCEPTIS_PG_OS_USER=${wanted}: no such non-root user to run PostgreSQL as`
			: 'running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as',
	);
}

function chownTree(target: string, uid: number, gid: number): void {
	fs.chownSync(target, uid, gid);
	if (!fs.statSync(target).isDirectory()) return;
	for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), uid, gid);
}

export async function startPostgres(): Promise<PostgresServer> {
	const bin = findPostgresBin();
	const user = serverUser();
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-pg-'));
	const dataDir = path.join(dir, 'data');
	const socketDir = path.join(dir, 'sock');
	const logPath = path.join(dir, 'postgres.log');
	const pwFile = path.join(dir, 'pwfile');
	fs.mkdirSync(socketDir);
	fs.writeFileSync(pwFile, `${DB_PASSWORD}\n`);
	if (user) chownTree(dir, user.uid, user.gid);
	// The OS user's identity; HOME and the like of root mean nothing to it.
	const asUser: SpawnOptions = {
		cwd: dir,
		env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' },
		...(user ? { uid: user.uid, gid: user.gid } : {}),
	};
	const run = (program: string, args: string[]) => {
		const result = spawnSync(path.join(bin, program), args, { ...asUser, encoding: 'utf8', timeout: 120_000 });
		fs.appendFileSync(logPath, `--- ${program} ${args.join(' ')} (exit ${result.status ?? result.signal}) ---\n${result.stdout}${result.stderr}\n`);
		if (result.status !== 0) {
			throw new Error(`${program} failed (exit ${result.status ?? result.signal}${result.error ? `, ${result.error.message}` : ''}):\n${result.stdout}${result.stderr}`);
		}
	};

	run('initdb', [
		'--pgdata', dataDir,
		'--username', DB_USER,
		'--pwfile', pwFile,
		'--auth-local', 'trust',
		'--auth-host', 'scram-sha-256',
		'--encoding', 'UTF8',
		'--locale', 'C',
		'--no-sync',
	]);
	fs.rmSync(pwFile, { force: true });

	const [port] = await freePorts(1);
	const out = fs.openSync(logPath, 'a');
	const child: ChildProcess = spawn(
		path.join(bin, 'postgres'),
		[
			'-D', dataDir,
			'-p', String(port),
			'-k', socketDir,
			'-c', 'listen_addresses=127.0.0.1',
			// A test database thrown away afterwards: no durability needed, and it saves disk flushes.
			'-c', 'fsync=off',
			'-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off',
		],
		{ ...asUser, detached: true, stdio: ['ignore', out, out] },
	);
	fs.closeSync(out);
	trackProcess(child);

	const stop = async () => {
		// SIGINT is postgres' fast shutdown: clients are disconnected, no wait.
		await stopProcessGroup(child, 10_000, 'SIGINT');
	};
	const lifecycle = await whenReady(dir, stop, async () => {
		await new Promise<void>((resolve, reject) => {
			const onExit = (code: number | null, signal: string | null) => {
				clearInterval(poll);
				reject(new Error(`postgres exited (code ${code}, signal ${signal}) before it was ready. Log ${logPath}:\n${logTail(logPath)}`));
			};
			child.once('exit', onExit);
			const poll = setInterval(() => {
				if (logTail(logPath, Infinity).includes(READY)) {
					clearInterval(poll);
					child.off('exit', onExit);
					resolve();
				} else if (Date.now() - started > 60_000) {
					clearInterval(poll);
					child.off('exit', onExit);
					reject(new Error(`postgres was not ready after 60 s. Log ${logPath}:\n${logTail(logPath)}`));
				}
			}, 50);
		});
		// Over the unix socket (trust), as the server's own superuser.
		run('createdb', ['--host', socketDir, '--port', String(port), '--username', DB_USER, DB_NAME]);
	});

	return {
		host: '127.0.0.1',
		port,
		user: DB_USER,
		password: DB_PASSWORD,
		database: DB_NAME,
		dir,
		dataDir,
		socketDir,
		logPath,
		pid: child.pid as number,
		osUser: user?.name ?? os.userInfo().username,
		startMs: Date.now() - started,
		...lifecycle,
	};
}
