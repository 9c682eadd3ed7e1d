# iot-cloud-wasm — the two commands a newcomer needs are `make demo` and `make test`.
#
#   make setup   install what this machine lacks (idempotent): wasm32 target, the wasm-bindgen CLI that
#                matches Cargo.lock, npm dev packages, Debian's chromium (for the browser test)
#   make build   cargo build (release, wasm32) → wasm-bindgen ×2 → wasm-opt -Oz → pkg/ + size report
#   make size    the build, then a table of the wasm's largest functions (also in target/size-table.txt)
#   make test    native cargo tests, wasm tests in Node, JS tests of the packed package (CJS and ESM), a
#                TypeScript check of its types, the Node examples and a headless-Chromium test of the demo
#                page, all against the simulator (the tooling needs Node >= 20.10; the package, Node >= 18)
#   make demo    build, then serve www/ and the simulator on http://127.0.0.1:$(DEMO_PORT)/
#   make bench   package size and side-by-side timings against raw fetch and particle-api-js

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

TARGET := wasm32-unknown-unknown
WASM := target/$(TARGET)/release/iot_cloud_wasm.wasm
WASM_BINDGEN_VERSION = $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
DEMO_PORT ?= 8787
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup setup-rust setup-node setup-browser generate check-generated build size pack test test-native test-wasm test-js test-types test-examples test-browser demo bench clean

setup: setup-rust setup-node setup-browser

setup-rust:
	@case " $$(rustup target list --installed | tr '\n' ' ') " in *" $(TARGET) "*) ;; *) rustup target add $(TARGET);; esac
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked --force \
	    || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

setup-node:
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; \
	fi

# Debian's chromium, driven by playwright-core (browsers cannot be downloaded by playwright here).
setup-browser:
	@command -v chromium >/dev/null || { \
	  command -v apt-get >/dev/null || { echo "install Chromium at /usr/bin/chromium for the browser test"; exit 1; }; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

build: setup-rust setup-node
	cargo build --release --target $(TARGET) --no-default-features
	node pkg-templates/assemble.mjs $(WASM) pkg

# One more wasm-bindgen + wasm-opt pass that keeps the function names; read by a Node script (no twiggy needed).
size: build
	wasm-bindgen --target nodejs --keep-debug --out-dir target/size --out-name iot_cloud_wasm $(WASM)
	node tools/size-table.mjs target/size/iot_cloud_wasm_bg.wasm pkg/iot_cloud_wasm_bg.wasm -n 30 -o target/size-table.txt

pack: build
	node tests/js/pack.mjs

test: setup build test-native test-wasm test-js test-types test-examples test-browser
	@echo "all test suites passed"

# The Arduino operation table, its JS maps and types, and the README table come from tools/generate.mjs.
generate: setup-node
	node tools/generate.mjs

check-generated: setup-node
	node tools/generate.mjs --check

test-native: check-generated
	cargo test

test-wasm: setup-rust
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target $(TARGET)

test-js: pack
	node --test --test-concurrency=1 tests/simulator/selftest.js tests/js/*.test.mjs tests/js/*.test.cjs

test-types: pack
	node --test tests/types/*.test.mjs

test-examples: pack
	node --test tests/examples/*.test.mjs

test-browser: build setup-browser
	node --test tests/browser/*.test.mjs

demo: build
	node tests/simulator/cli.js --port $(DEMO_PORT) --www www --pkg pkg --rate-limits documented --live

bench: pack
	node bench/run.mjs
	node bench/scheduler.mjs

clean:
	rm -rf pkg target/pack target/consumers target/assemble-* target/size-report.json target/size target/size-table.txt target/bench.json target/bench-scheduler.json
