# payops — the two commands (see README.md):
#   make demo    install, build (Release), migrate, seed the demo, serve on :8080
#   make test    install, build with ASan+UBSan, run every test through CTest
SHELL := /bin/bash
JOBS ?= $(shell nproc)
STORE ?= sqlite://$(CURDIR)/payops-demo.db
LISTEN ?= 127.0.0.1:8080

.PHONY: demo test build build-test bench web-bench deps deps-test format clean fuzz-long crash-long

deps:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

build: deps
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAYOPS_TESTS=OFF
	cmake --build build -j $(JOBS)

demo: build
	./build/payops migrate --store $(STORE)
	PAYOPS_LISTEN=$(LISTEN) ./build/payops demo --store $(STORE)
	exec ./build/payops serve --store $(STORE) --listen $(LISTEN) --sandbox

build-test: deps-test
	cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DPAYOPS_SANITIZE=ON -DPAYOPS_TESTS=ON
	cmake --build build-test -j $(JOBS)
	@# An independent NACHA parser (npm @ach/ach) that the tests run over our files, and
	@# playwright-core, which drives Debian's /usr/bin/chromium in the browser tests.
	test -x build-test/npm/node_modules/.bin/ach && test -d build-test/npm/node_modules/playwright-core || \
	  npm install --prefix build-test/npm --no-audit --no-fund --silent @ach/ach@1.1.0 playwright-core@1.65.1
	@# The libFuzzer targets, built with clang in a directory of their own (fuzz/).
	JOBS=$(JOBS) fuzz/build.sh build-fuzz

test: build-test
	cd build-test && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600

# Every fuzz target for FUZZ_SECONDS (default 600) each; statistics per target.
FUZZ_SECONDS ?= 600
fuzz-long: build-test
	for t in json_body resources router http_request nacha mime config calendar; do \
	  fuzz/run.sh build-fuzz $$t $(FUZZ_SECONDS) || exit 1; done

# The crash-safety tests with 20 SIGKILL / immediate-restart rounds each.
CRASH_ROUNDS ?= 20
crash-long: build-test
	cd build-test && PAYOPS_CRASH_ROUNDS=$(CRASH_ROUNDS) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 3600 -R CrashSafety

bench:
	bench/run.sh

# The browser test once more, measuring the page: writes build-test/web-bench.json.
web-bench: build-test
	node tests/browser/web_test.mjs --payops build-test/payops --modules build-test/npm/node_modules \
	  --screenshots build-test/screenshots --bench build-test/web-bench.json
	cat build-test/web-bench.json

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build build-test build-bench build-fuzz
