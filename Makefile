# Two commands for a fresh machine (see README.md):
#   make serve   install what is missing, then serve the playground on http://127.0.0.1:8080
#   make test    install what is missing, then run every test
# Each step prints what it does; scripts/setup.sh skips tools that are already installed.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_HOME ?= $(HOME)/.cargo
KUBEPLAY_TOOLS ?= $(CARGO_HOME)/kubeplay-tools
export CARGO_HOME KUBEPLAY_TOOLS
export PATH := $(KUBEPLAY_TOOLS)/node_modules/.bin:$(CARGO_HOME)/bin:$(PATH)

.PHONY: help serve test setup-serve setup-test test-native test-wasm build-release test-e2e fuzz bench

help:
	@echo "make serve   install what is missing, then serve the playground on http://127.0.0.1:8080"
	@echo "make test    install what is missing, then run every test"
	@echo "make fuzz    run every cargo-fuzz target for FUZZ_SECONDS each (default 60; not part of make test)"
	@echo "make bench   run every native benchmark in release mode and write the figures into BENCHMARKS.md (not part of make test)"
	@echo "make bench-browser   the same benchmarks in headless Chromium plus the UI figures (make bench runs it first)"

setup-serve:
	@bash scripts/setup.sh serve

setup-test:
	@bash scripts/setup.sh test

serve: setup-serve
	@echo "==> building and serving the playground on http://127.0.0.1:8080 (Ctrl+C stops)"
	trunk serve --release

# No incremental caches in a full run: they double what target/ holds and a clean run never reuses them.
test: export CARGO_INCREMENTAL = 0
test: setup-test test-native test-wasm build-release test-e2e
	@echo "==> all tests passed"

test-native:
	@echo "==> native tests: cargo test --workspace (core, CLI, web state, etcd conformance)"
	cargo test --workspace --exclude kubeplay-e2e

test-wasm:
	@echo "==> web tests in headless Chromium: wasm-bindgen-test"
	CHROMEDRIVER="$$(command -v chromedriver)" cargo test -p kubeplay-web --target wasm32-unknown-unknown

build-release:
	@echo "==> release build of the playground: trunk build --release"
	trunk build --release

test-e2e:
	@echo "==> end-to-end tests: the release build in headless Chromium (screenshots in target/e2e/)"
	CHROMEDRIVER="$$(command -v chromedriver)" cargo test -p kubeplay-e2e

# Fuzzing (issue 9; RELIABILITY.md): every cargo-fuzz target for FUZZ_SECONDS each, on the nightly
# toolchain, with its own sanitizer build under fuzz/target. Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

# Benchmarks (issue 8; BENCHMARKS.md): the store benchmark with a real etcd beside it, then
# scheduling, scale, API writes, store and scaling in release mode, their figures written into
# BENCHMARKS.md between its bench markers. BENCH_ARGS passes options (`--budget 300`: wall
# seconds per cluster run, `--point-budget 120` per scaling point). Not part of `make test`,
# whose bench_smoke test runs each workload small and checks its result.
BENCH_ARGS ?=
bench: bench-browser
	@echo "==> store benchmark, with the real etcd beside it: cargo bench --bench store_bench"
	@mkdir -p target
	cargo bench -p kubeplay --bench store_bench | tee target/store-bench.txt
	@echo "==> scheduling, scale, API writes, store, scaling: cargo bench --bench kubeplay_bench -- all"
	cargo bench -p kubeplay --bench kubeplay_bench -- all --write "$(CURDIR)/BENCHMARKS.md" \
		--etcd-puts "$$(awk '/^real etcd put .*1 connection/ {print $$4; exit}' target/store-bench.txt)" $(BENCH_ARGS)

# The same workloads in headless Chromium (issue 8; BENCHMARKS.md "In the browser"): the page's
# benchmark mode (`?bench=NAME`, web/src/bench.rs) at full size, plus Apply-to-map for every
# corpus manifest, frame times with 1,000 pods on the map and the .wasm's gzip and brotli sizes;
# the table is written into BENCHMARKS.md between its browser-bench markers. BENCH_SCALE lists the
# scale sizes (`;`-separated). make test runs the same test small (checks results, not speed).
.PHONY: bench-browser
BENCH_SCALE ?= nodes=1000&replicas=100000
bench-browser:
	@echo "==> the benchmarks in headless Chromium: trunk build --release, then tests/tests/browser_bench.rs at full size"
	trunk build --release
	KUBEPLAY_DIST="$(CURDIR)/dist" KUBEPLAY_BENCH_FULL=1 KUBEPLAY_BENCH_SCALE='$(BENCH_SCALE)' KUBEPLAY_BENCH_WRITE="$(CURDIR)/BENCHMARKS.md" \
		CHROMEDRIVER="$$(command -v chromedriver)" cargo test -p kubeplay-e2e --test browser_bench -- --nocapture

# Deterministic simulation testing (issue 9; RELIABILITY.md): SOAK_SEEDS seeded random operation
# sequences of SOAK_OPS operations each against the whole cluster, invariants checked after every
# operation, in release mode. `make test` runs a debug sample of the same test (core/tests/soak.rs);
# a failing seed prints itself and `SOAK_SEED=n` replays it. Not part of `make test`.
.PHONY: soak
SOAK_SEEDS ?= 2000
SOAK_OPS ?= 40
soak:
	@echo "==> soak: $(SOAK_SEEDS) seeds x $(SOAK_OPS) operations, release build"
	SOAK_SEEDS=$(SOAK_SEEDS) SOAK_OPS=$(SOAK_OPS) cargo test --release -p kubeplay --test soak -- --nocapture
