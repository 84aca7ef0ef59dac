#!/usr/bin/env node
'use strict';
/**
 * Starts the Perceptis simulator in its own process (end-to-end tests, demos):
 *
 *   node test/simulator/cli.js [--host 127.0.0.1] [--port N] [--storage-port N] [--time-scale X]
 *                              [--deck-seconds N] [--slide-seconds N] [--config JSON] [--verbose]
 *
 * Prints exactly one JSON line {"origin","storageOrigin","keys"} to stdout once both servers listen,
 * so a parent process can read it; everything else goes to stderr. Exits cleanly on SIGINT/SIGTERM.
 */
const { startSimulator } = require('./index');

const USAGE =
	'usage: node test/simulator/cli.js [--host H] [--port N] [--storage-port N] [--time-scale X] ' +
	'[--deck-seconds N] [--slide-seconds N] [--config JSON] [--verbose]';

function parseArgs(argv) {
	const options = { durationsMs: {} };
	let verbose = false;
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
			default:
				throw new Error(`unknown argument ${flag}`);
		}
	}
	if (verbose) options.log = (line) => process.stderr.write(`[perceptis-sim] ${line}\n`);
	return options;
}

async function main() {
	let options;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`${error.message}\n${USAGE}\n`);
		process.exit(2);
	}
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
	process.stdout.write(`${JSON.stringify({ origin: sim.origin, storageOrigin: sim.storageOrigin, keys: sim.keys })}\n`);
}

main().catch((error) => {
	process.stderr.write(`perceptis simulator failed to start: ${error.message}\n`);
	process.exit(1);
});
