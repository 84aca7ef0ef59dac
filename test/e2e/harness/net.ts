/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Which addresses the processes of a group listen on (Linux /proc), to prove n8n binds to loopback only.
 */
import * as fs from 'fs';

function groupPids(pgid: number): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// Field 5 of /proc/<pid>/stat is the process group (after the parenthesised command name).
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) pids.push(Number(entry));
		} catch {
			// process gone
		}
	}
	return pids;
}

function socketInodes(pid: number): Set<string> {
	const inodes = new Set<string>();
	try {
		for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
			try {
				const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
				const match = /^socket:\[(\d+)\]$/.exec(target);
				if (match) inodes.add(match[1]);
			} catch {
				// fd closed
			}
		}
	} catch {
		// process gone
	}
	return inodes;
}

function decodeAddress(hex: string): string {
	const [ip, port] = hex.split(':');
	const portNumber = parseInt(port, 16);
	if (ip.length === 8) {
		const bytes = [0, 1, 2, 3].map((i) => parseInt(ip.slice(i * 2, i * 2 + 2), 16)).reverse();
		return `${bytes.join('.')}:${portNumber}`;
	}
	// IPv6: four little-endian 32-bit words.
	const words = [0, 1, 2, 3].map((w) => ip.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join(''));
	const groups = words.join('').match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
	return `[${groups.join(':').toLowerCase()}]:${portNumber}`;
}

/** The listening TCP addresses ("127.0.0.1:5678", "[0:0:…:1]:…") of every process in the group. */
export function listeningAddresses(pgid: number): string[] {
	const inodes = new Set<string>();
	for (const pid of groupPids(pgid)) for (const inode of socketInodes(pid)) inodes.add(inode);
	const addresses: string[] = [];
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!fs.existsSync(table)) continue;
		for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
			const cols = line.trim().split(/\s+/);
			if (cols.length < 10) continue;
			// st 0A = LISTEN
			if (cols[3] === '0A' && inodes.has(cols[9])) addresses.push(decodeAddress(cols[1]));
		}
	}
	return addresses;
}

/** True for 127.0.0.0/8 and ::1 (and ::ffff:127.x). */
export function isLoopback(address: string): boolean {
	return /^127\./.test(address) || /^\[0:0:0:0:0:0:0:1\]/.test(address) || /^\[0:0:0:0:0:ffff:7f/.test(address);
}
