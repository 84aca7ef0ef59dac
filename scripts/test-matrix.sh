#!/usr/bin/env bash
# Every end-to-end suite on every supported host version — the slow matrix that CI's test:all
# trims (it runs every suite on n8n 2.41.1 and Node-RED 5.0.7 and a 1.x set on 1.123.81):
#
#   npm run test:matrix              # after `npm run build` (test:all leaves a build behind)
#
# Installs what is missing into the cache (scripts/n8n/install.sh, scripts/node-red/install.sh,
# scripts/registry/install.sh) and ends with "N passed, N failed" like test:all.
set -euo pipefail
cd "$(dirname "$0")/.."

N8N_VERSIONS=(${PERCEPTIS_E2E_VERSIONS:-2.41.1 1.123.81})
NODE_RED_VERSIONS=(${PERCEPTIS_NODE_RED_VERSIONS:-5.0.7 4.1.15})
results="$(mktemp -d)"
status=0

bash scripts/registry/install.sh >/dev/null
for version in "${N8N_VERSIONS[@]}"; do
	bash scripts/n8n/install.sh "$version" >/dev/null
	printf '\n=== every e2e suite in n8n %s (%s)\n' "$version" "$(date -u +%T)"
	N8N_E2E_VERSION="$version" npx jest --selectProjects e2e --runInBand --forceExit --json --outputFile="$results/e2e-$version.json" || status=1
done
for version in "${NODE_RED_VERSIONS[@]}"; do
	bash scripts/node-red/install.sh "$version" >/dev/null
	printf '\n=== every e2e suite in Node-RED %s (%s)\n' "$version" "$(date -u +%T)"
	NODE_RED_E2E_VERSION="$version" npx jest --selectProjects node-red-e2e --runInBand --forceExit --json --outputFile="$results/node-red-$version.json" || status=1
done

node scripts/count-results.mjs "$results"
rm -rf "$results"
exit "$status"
