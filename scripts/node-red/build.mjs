#!/usr/bin/env node
/**
 * The Node-RED package's build (`npm run build` in node-red/): tsc compiles node-red/src and the core files it imports into
 * dist/ (rootDir '..': dist/core/… beside dist/node-red/src/…, so the relative requires hold),
 * then the editor files (.html, locales, and the icons of node-red/.icons) are copied beside the compiled .js, where
 * Node-RED looks for them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node-red');
const src = path.join(root, 'src');
const out = path.join(root, 'dist', 'node-red', 'src');

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
fs.cpSync(src, out, { recursive: true, filter: (file) => !file.endsWith('.ts') });
// The icons live in a dot folder: `n8n-node build` (the n8n package's CLI) copies every .svg and
// .png outside dot folders into the n8n package's dist/, and a Node-RED icon has no place there.
fs.cpSync(path.join(root, '.icons'), path.join(out, 'icons'), { recursive: true });
