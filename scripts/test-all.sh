#!/usr/bin/env bash
# Every test, as CI runs it: build, lint (n8n-node lint in strict mode, the project's rules, n8n's
# package scanner), the n8n-node build comparison, the unit and integration suites, then the
# end-to-end suites in a real n8n — all of them in 2.41.1 with the editor in headless Chromium,
# the quick benchmark and fault table; the 1.x smoke set in 1.123.81 (E2E_1X_SUITES; every suite
# on every version: scripts/test-matrix.sh) — and in a real Node-RED (every suite in 5.0.7, a smoke
# set in 4.1.15), in a second lane beside the n8n suites. Installs what is missing on
# the way (n8n and Node-RED into the cache outside the repo, Debian's chromium, postgresql and
# redis-server when running as root). Ends with the minutes of each stage and one line:
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

N8N_VERSIONS=(${PERCEPTIS_E2E_VERSIONS:-2.41.1 1.123.81})
NODE_RED_VERSIONS=(${PERCEPTIS_NODE_RED_VERSIONS:-5.0.7 4.1.15})
# The e2e suites the second n8n version runs here (a jest path pattern): what differs between 1.x
# and 2.x for this node (retries, queue mode, the run itself). The rest on 1.x: test-matrix.
# The parked loop on 1.x runs in test:matrix: it passed 23 of 24 runs on 2026-12-06 (six of them
# two at a time); the one failure, not yet understood, was an execution not seen parked within
# 120 s, and the suite now names where each execution was and what n8n logged when that happens.
E2E_1X_SUITES="${PERCEPTIS_E2E_1X_SUITES:-(smoke|perceptis|retries|queue)\.e2e\.test\.ts$}"
results="$(mktemp -d)"
started_at=$(date +%s)
stage_name=""
stage_started=$started_at
stage_lines=()
# Each step closes the one before: its minutes go into the summary printed at the end.
close_stage() {
	[ -n "$stage_name" ] && stage_lines+=("$(awk -v s=$(($(date +%s) - stage_started)) -v n="$stage_name" 'BEGIN { printf "%5.1f min  %s", s / 60, n }')")
	stage_name=""
}
step() {
	close_stage
	stage_name="$*"
	stage_started=$(date +%s)
	printf '\n=== %s (%s, %d min in)\n' "$*" "$(date -u +%T)" $(( ($(date +%s) - started_at) / 60 ))
}
# No stage may hang the run: each has a time limit (minutes) far above what it takes, and is
# stopped with its processes when it passes it, so CI always ends with a count.
limit() {
	local minutes="$1"; shift
	timeout --kill-after=60 "$((minutes * 60))" "$@" || {
		local code=$?
		[ "$code" = 124 ] && echo "*** stopped after $minutes minutes: $*"
		return "$code"
	}
}

# n8n installs take minutes; they run in the background while the fast suites run.
step "installing n8n ${N8N_VERSIONS[*]} in the background (cached in ${PERCEPTIS_N8N_CACHE:-$HOME/.cache/n8n-nodes-perceptis})"
install_pids=()
for version in "${N8N_VERSIONS[@]}"; do
	limit 25 bash scripts/n8n/install.sh "$version" >"$results/install-$version.out" 2>"$results/install-$version.log" &
	install_pids+=($!)
done
# verdaccio, the private npm registry of the install suites (kept out of package.json: it needs an npm override).
limit 15 bash scripts/registry/install.sh >"$results/install-registry.out" 2>"$results/install-registry.log" &
registry_pid=$!
# The Node-RED package's own dependencies (axios; Node-RED and its test helper for its tests).
node_red_deps_pid=""
if [ -f node-red/package.json ]; then
	(cd node-red && limit 10 npm ci --no-audit --no-fund --loglevel=error) >"$results/node-red-deps.log" 2>&1 &
	node_red_deps_pid=$!
fi
# Node-RED (about 20 s each), for the Node-RED end-to-end suites.
node_red_pids=()
for version in "${NODE_RED_VERSIONS[@]}"; do
	limit 10 bash scripts/node-red/install.sh "$version" >"$results/install-node-red-$version.out" 2>"$results/install-node-red-$version.log" &
	node_red_pids+=($!)
done

# Debian packages of the end-to-end suites: chromium (the editor test), postgresql and redis-server
# (the queue-mode suite). One apt-get for whatever is missing; nothing when all are there.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
apt_pid=""
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		# In the background too: only the end-to-end suites need them.
		step "installing Debian's ${missing[*]} for the end-to-end tests, in the background"
		(limit 5 apt-get update -qq && DEBIAN_FRONTEND=noninteractive limit 15 apt-get install -y -qq "${missing[@]}") \
			>"$results/apt.log" 2>&1 &
		apt_pid=$!
	else
		echo "Missing for the end-to-end tests: ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' and try again"; exit 1
	fi
fi

step "build"
npm run build
# The second lane's n8n runs load this copy: the demo test in the first lane runs `npm run build`,
# which deletes dist/ for a few seconds (harness: builtDist).
cp -r dist "$results/dist"
step "lint and package scan"
npm run lint

status=0
# --forceExit: a handle a test forgot (once a simulator's render worker) must not hold CI until
# its time is up (jest then says "Force exiting Jest" whether or not one was left);
# test/simulator/pptx.test.ts guards the one we had.
run_jest() {
	local name="$1" minutes="$2"; shift 2
	limit "$minutes" npx jest "$@" --forceExit --json --outputFile="$results/$name.json" || status=1
}
# A check that is not a jest run: one test in the closing count, passed or failed by its exit code.
run_check() {
	local name="$1"; shift
	if "$@"; then
		echo '{"numPassedTests":1,"numFailedTests":0}' >"$results/$name.json"
	else
		echo '{"numPassedTests":0,"numFailedTests":1}' >"$results/$name.json"
		status=1
	fi
}

# n8n's CLI build (tsc, then every .png/.svg) against ours (tsc + gulp), in two temp copies.
step "n8n-node build gives the same dist/ as npm run build"
run_check n8n-node-build limit 5 node scripts/check-n8n-node-build.mjs

fast_projects=(unit integration)
if [ -n "$node_red_deps_pid" ]; then
	step "the Node-RED package: its dependencies and build"
	if wait "$node_red_deps_pid" && (cd node-red && npm run build); then
		fast_projects+=(node-red)
	else
		echo "the Node-RED package did not install or build:"; tail -30 "$results/node-red-deps.log"; status=1
	fi
fi

step "unit and integration tests (${fast_projects[*]})"
# Three workers on two CPUs: the integration suites spend most of their time in real 1 s waits
# (Retry-After, the API's one-second floor), so they overlap well (about 2.7 min instead of 4.5).
run_jest fast 15 --selectProjects "${fast_projects[@]}" --maxWorkers=3

if [ -n "$apt_pid" ] && ! wait "$apt_pid"; then
	echo "could not install ${missing[*]}:"; tail -30 "$results/apt.log"; exit 1
fi
if ! wait "$registry_pid"; then
	echo "installing verdaccio failed:"; tail -30 "$results/install-registry.log"; exit 1
fi

# Two lanes from here, each one test file at a time under a lock of its own (PERCEPTIS_E2E_LOCK):
# the n8n end-to-end suites in the foreground; the Node-RED end-to-end suites, the quick benchmark
# and the quick fault table in the background. Their processes mostly sit waiting on simulated
# jobs, so the two lanes share the two CPUs well (CI took 32 minutes in one lane; about 25 in two).
# The benchmark asserts no speed: its quick figures, taken beside the other lane, are a smoke
# check (`npm run bench` alone is the measurement); the fault table asserts only must-be-0 counts. Node-RED 4.1.15 runs a smoke set
# (NODE_RED_SMOKE_SUITES); every suite on every version: scripts/test-matrix.sh.
NODE_RED_SMOKE_SUITES="${PERCEPTIS_NODE_RED_SMOKE_SUITES:-(harness|perceptis|lifecycle)\.e2e\.test\.ts$}"
BENCH_VERSION=2.41.1

# A stage of the background lane: its minutes go to a file the summary reads at the end.
lane_stage() {
	local name="$1"; shift
	local began=$(date +%s)
	printf '\n=== %s, in the background lane (%s)\n' "$name" "$(date -u +%T)"
	"$@" || lane_code=1
	awk -v s=$(($(date +%s) - began)) -v n="$name (background lane)" 'BEGIN { printf "%5.1f min  %s\n", s / 60, n }' >>"$results/lane-stages.txt"
}
node_red_e2e() {
	local version="$1"; shift
	NODE_RED_E2E_VERSION="$version" limit 15 npx jest --selectProjects node-red-e2e --runInBand "$@" \
		--forceExit --json --outputFile="$results/node-red-e2e-$version.json"
}
# The short benchmark in a real n8n and Node-RED: it prints figures and asserts no speed; it fails
# only when a run itself breaks.
bench_quick() {
	BENCH_QUICK=1 BENCH_OUT="$results/benchmark-quick.md" limit 10 npx jest -c jest.bench.config.js --verbose=false \
		--json --outputFile="$results/bench.json" 2>"$results/bench.log" || { tail -40 "$results/bench.log"; return 1; }
	cat "$results/benchmark-quick.md"
}
# The short fault table (2 seeded trials per fault class) in a real n8n: it fails only when a trial
# cannot run or a must-be-0 count (extra jobs, lost job ids, the key seen) is not 0.
faults_quick() {
	FAULTS_QUICK=1 FAULTS_OUT="$results/faults-quick.md" limit 10 npx jest -c jest.faults.config.js --verbose=false \
		--json --outputFile="$results/faults.json" 2>"$results/faults.log" || { tail -40 "$results/faults.log"; return 1; }
	cat "$results/faults-quick.md"
}

ready_node_red=()
for i in "${!node_red_pids[@]}"; do
	if wait "${node_red_pids[$i]}"; then
		ready_node_red+=("${NODE_RED_VERSIONS[$i]}")
	else
		echo "installing Node-RED ${NODE_RED_VERSIONS[$i]} failed:"; tail -30 "$results/install-node-red-${NODE_RED_VERSIONS[$i]}.log"; status=1
	fi
done
bench_ready=""
for i in "${!N8N_VERSIONS[@]}"; do
	if [ "${N8N_VERSIONS[$i]}" = "$BENCH_VERSION" ]; then
		wait "${install_pids[$i]}" && bench_ready=1 || { echo "installing n8n $BENCH_VERSION failed:"; tail -30 "$results/install-$BENCH_VERSION.log"; exit 1; }
	fi
done
(
	export PERCEPTIS_E2E_LOCK=perceptis-lane-b-e2e.lock PERCEPTIS_E2E_DIST="$results/dist"
	lane_code=0
	for n in "${!ready_node_red[@]}"; do
		if [ "$n" = 0 ]; then
			lane_stage "end-to-end tests in Node-RED ${ready_node_red[$n]} (every suite)" node_red_e2e "${ready_node_red[$n]}"
		else
			lane_stage "end-to-end tests in Node-RED ${ready_node_red[$n]} (the smoke set: $NODE_RED_SMOKE_SUITES)" \
				node_red_e2e "${ready_node_red[$n]}" --testPathPattern "$NODE_RED_SMOKE_SUITES"
		fi
	done
	if [ -n "$bench_ready" ]; then
		lane_stage "benchmark, quick mode (n8n $BENCH_VERSION, Node-RED)" bench_quick
		lane_stage "fault table, quick mode (n8n $BENCH_VERSION)" faults_quick
	fi
	exit "$lane_code"
) >"$results/lane-b.log" 2>&1 &
lane_b_pid=$!

for i in "${!N8N_VERSIONS[@]}"; do
	version="${N8N_VERSIONS[$i]}"
	if ! wait "${install_pids[$i]}"; then
		echo "installing n8n $version failed:"; tail -30 "$results/install-$version.log"; exit 1
	fi
	if [ "$i" = 0 ]; then
		step "end-to-end tests in n8n $version (every suite)"
		N8N_E2E_VERSION="$version" run_jest "e2e-$version" 30 --selectProjects e2e --runInBand
	else
		step "end-to-end tests in n8n $version (the 1.x set: $E2E_1X_SUITES)"
		N8N_E2E_VERSION="$version" run_jest "e2e-$version" 30 --selectProjects e2e --runInBand --testPathPattern "$E2E_1X_SUITES"
	fi
done

step "the background lane: Node-RED end-to-end tests, the quick benchmark and fault table (the rest of its run)"
wait "$lane_b_pid" || status=1
cat "$results/lane-b.log"

close_stage
[ -f "$results/lane-stages.txt" ] && while IFS= read -r line; do stage_lines+=("$line"); done <"$results/lane-stages.txt"
printf '\nMinutes per stage:\n'
printf '  %s\n' "${stage_lines[@]}"
printf '  %5d min  in all\n' $(( ($(date +%s) - started_at) / 60 ))

node scripts/count-results.mjs "$results"
rm -rf "$results"
exit "$status"
