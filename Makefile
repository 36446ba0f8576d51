# Makefile -- thin front for CMake: every target installs what is missing, configures and builds.
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build deps test test-asan test-tsan demo bench compare clean

all: build

deps:
	@scripts/install-deps

# $(call configure,DIR,EXTRA-FLAGS): configure when new or when flags change, build quietly
define configure
	@scripts/build $(1) $(CMAKE_FLAGS) $(2)
endef

build: deps
	$(call configure,$(BUILD),)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	$(call configure,build-asan,-DCRAWLPOOL_SANITIZE=address)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test-tsan: deps
	$(call configure,build-tsan,-DCRAWLPOOL_SANITIZE=thread)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)

bench: build
	@scripts/install-deps bench
	@bench/run $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-tsan

# Builds the libFuzzer harnesses (clang) in build-fuzz and runs each for FUZZ_SECONDS over its corpus.
FUZZ_SECONDS ?= 30
.PHONY: fuzz
fuzz: deps
	@bash tests/fuzz/smoke $(FUZZ_SECONDS)
