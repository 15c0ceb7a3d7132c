# The two commands: `make demo` and `make test`. Each does its own set-up first.
BUILD ?= build
JOBS ?= 2
SANITIZE ?= 0
BUILD_TYPE ?= RelWithDebInfo

ifeq ($(SANITIZE),1)
  BUILD := $(BUILD)-sanitize
  CMAKE_EXTRA += -DMICRO_SANITIZE=ON
endif

.PHONY: all deps configure build build-demo demo test bench fuzz install clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA) >/dev/null

# Everything but the bench programs: libraries, CLI, samples, tests.
build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Only what the demo runs: libraries, the micro CLI, the samples.
build-demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target demo-all

# Both start an Avahi daemon if none answers (scripts/avahi: loopback only) and stop
# what they started, by PID, however the run ends.
AVAHI = AVAHI_STATE_DIR=$(abspath $(BUILD))/avahi $(CURDIR)/scripts/avahi
# Only a daemon started by this very run is stopped at its end (one that answered already, even
# if an earlier run of the script started it, is left running).
AVAHI_AROUND = started=; trap '[ -z "$$started" ] || $(AVAHI) stop' EXIT; trap 'exit 130' INT TERM; \
  if ! $(AVAHI) status >/dev/null 2>&1; then $(AVAHI) start && started=1; fi;

demo: build-demo
	@$(AVAHI_AROUND) BUILD=$(BUILD) scripts/demo

test: build
	@$(AVAHI_AROUND) cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

# Release build of just what the benchmarks run (bench-all: no tests, no other samples), with the
# peers that cost compile time (gRPC).
bench:
	@$(MAKE) --no-print-directory configure BUILD=build-release BUILD_TYPE=Release \
	  CMAKE_EXTRA="-DMICRO_BUILD_TESTS=OFF -DMICRO_BENCH_PEERS=ON"
	@cmake --build build-release -j $(JOBS) --target bench-all
	@BUILD=build-release scripts/bench

# libFuzzer harnesses (fuzz/) built with clang, ASan and UBSan in build-fuzz (harnesses and the
# libraries they link only), each run FUZZ_SECONDS (default 10) on its seed corpus: scripts/fuzz.
FUZZ_SECONDS ?= 10
fuzz: deps
	@CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICRO_FUZZ=ON \
	  -DMICRO_BUILD_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz-all
	@BUILD=$(CURDIR)/build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

install: build
	@cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

clean:
	@rm -rf build build-sanitize build-release build-fuzz
