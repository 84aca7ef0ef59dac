#!/usr/bin/env node
'use strict';
/**
 * Starts the Perceptis simulator in its own process (end-to-end tests, demos):
 *
 *   node test/simulator/cli.js [--host 127.0.0.1] [--port N] [--storage-port N] [--foreign-host 127.0.0.2]
 *                              [--foreign-port N] [--time-scale X] [--deck-seconds N] [--slide-seconds N]
 *                              [--config JSON] [--verbose] [--help]
 *
 * Prints exactly one JSON line {"origin","storageOrigin","foreignOrigin","keys"} to stdout once all
 * three servers listen, so a parent process can read it; everything else goes to stderr (only
 * --help, which starts nothing, prints its text to stdout). Exits cleanly on SIGINT/SIGTERM.
 */
const { startSimulator } = require('./index');

const USAGE =
	'usage: node test/simulator/cli.js [--host H] [--port N] [--storage-port N] [--foreign-host H] ' +
	'[--foreign-port N] [--time-scale X] [--deck-seconds N] [--slide-seconds N] [--config JSON] [--verbose] [--help]';

const HELP = `${USAGE}

Runs the Perceptis API simulator: an API server, an object-storage server for the signed download
links, and a "foreign" server (another host, which must never receive the API key).

  --host H            address of the API and storage servers (default 127.0.0.1)
  --port N            API port (default 0: any free port)
  --storage-port N    storage port (default 0)
  --foreign-host H    address of the foreign server (default 127.0.0.2, another loopback host;
                      falls back to --host if it cannot be bound)
  --foreign-port N    foreign port (default 0)
  --time-scale X      job duration multiplier (default 1: slide 300 s, deck 600 s)
  --deck-seconds N    deck duration before time scaling
  --slide-seconds N   single-slide duration before time scaling
  --config JSON       initial switches, e.g. '{"jobIdStyle":"needs-encoding"}' (see README.md)
  --verbose           one redacted line per request on stderr
  --help              this text

Prints one JSON line {"origin","storageOrigin","foreignOrigin","keys"} on stdout, then runs until
SIGINT/SIGTERM. Faults and switches can be changed at run time: POST <origin>/__sim/config, /__sim/faults.
`;

function parseArgs(argv) {
	const options = { durationsMs: {} };
	let verbose = false;
	let help = false;
	const number = (flag, text) => {
		const value = Number(text);
		if (text === undefined || text === '' || !Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number >= 0`);
		return value;
	};
	for (let i = 0; i < argv.length; i += 1) {
		const flag = argv[i];
		const value = () => argv[++i];
		switch (flag) {
			case '--host':
				options.host = value();
				if (!options.host) throw new Error('--host needs a value');
				break;
			case '--port':
				options.port = number(flag, value());
				break;
			case '--storage-port':
				options.storagePort = number(flag, value());
				break;
			case '--foreign-host':
				options.foreignHost = value();
				if (!options.foreignHost) throw new Error('--foreign-host needs a value');
				break;
			case '--foreign-port':
				options.foreignPort = number(flag, value());
				break;
			case '--time-scale':
				options.timeScale = number(flag, value());
				break;
			case '--deck-seconds':
				options.durationsMs.deck = number(flag, value()) * 1000;
				break;
			case '--slide-seconds':
				options.durationsMs.single_slide = number(flag, value()) * 1000;
				break;
			case '--config':
				Object.assign(options, JSON.parse(value()));
				break;
			case '--verbose':
				verbose = true;
				break;
			case '--help':
			case '-h':
				help = true;
				break;
			default:
				throw new Error(`unknown argument ${flag}`);
		}
	}
	if (verbose) options.log = (line) => process.stderr.write(`[perceptis-sim] ${line}\n`);
	return { options, help };
}

async function main() {
	let parsed;
	try {
		parsed = parseArgs(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`${error.message}\n${USAGE}\n`);
		process.exit(2);
	}
	if (parsed.help) {
		process.stdout.write(HELP);
		return;
	}
	const { options } = parsed;
	const sim = await startSimulator(options);
	let closing = false;
	const stop = async () => {
		if (closing) return;
		closing = true;
		await sim.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	const info = { origin: sim.origin, storageOrigin: sim.storageOrigin, foreignOrigin: sim.foreignOrigin, keys: sim.keys };
	process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((error) => {
	process.stderr.write(`perceptis simulator failed to start: ${error.message}\n`);
	process.exit(1);
});
