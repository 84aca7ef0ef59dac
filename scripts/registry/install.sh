#!/usr/bin/env bash
# Installs the pinned verdaccio (the private npm registry the install e2e suite publishes the packed
# tarball to) outside the repository, like n8n itself (scripts/n8n/install.sh).
#
#   scripts/registry/install.sh            → prints the folder; verdaccio is <folder>/node_modules/verdaccio
#
# Why not a devDependency: verdaccio 6.8 only installs with an npm override (its `node-fetch@cjs`
# tag does not resolve; pinned to 2.7.0 here), and n8n's verification refuses a package.json with an
# `overrides` field. The override lives in this folder's own package.json instead.
set -euo pipefail

VERSION="${PERCEPTIS_VERDACCIO_VERSION:-6.8.0}"
CACHE="${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis}"
DIR="$CACHE/verdaccio-$VERSION"
MARKER="$DIR/.install-complete"

mkdir -p "$CACHE"
exec 9>"$CACHE/.verdaccio-$VERSION.lock"
flock 9

if [ ! -f "$MARKER" ]; then
	rm -rf "$DIR"
	mkdir -p "$DIR"
	cat >"$DIR/package.json" <<JSON
{
  "name": "perceptis-e2e-registry",
  "private": true,
  "dependencies": { "verdaccio": "$VERSION" },
  "overrides": { "verdaccio": { "node-fetch": "2.7.0" } }
}
JSON
	(cd "$DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
	test -f "$DIR/node_modules/verdaccio/bin/verdaccio"
	date -u +%FT%TZ >"$MARKER"
fi
echo "$DIR"
