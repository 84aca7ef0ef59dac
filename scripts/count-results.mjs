#!/usr/bin/env node
/**
 * The closing line of test:all and test:matrix: sums the jest --json reports (and the one-test
 * reports of non-jest checks) in a folder and prints "N passed, N failed".
 *
 *   node scripts/count-results.mjs <folder>
 */
import fs from 'node:fs';
import path from 'node:path';

const folder = process.argv[2];
let passed = 0;
let failed = 0;
for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.json'))) {
	const report = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'));
	passed += report.numPassedTests;
	failed += report.numFailedTests + (report.numRuntimeErrorTestSuites || 0);
}
console.log(`\n${passed} passed, ${failed} failed`);
