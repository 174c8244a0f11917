# The README's commands. Everything a fresh Debian 12 machine needs is
# installed by scripts/install-deps.sh, so `make run` and `make test` work
# from a clean clone.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
WERROR ?= $(if $(CI),ON,OFF)

.PHONY: all deps test-deps configure build run test fuzz format tidy clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCOPPER_WERROR=$(WERROR)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@scripts/run.sh

test: test-deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Long fuzzing sessions with clang + libFuzzer (make test runs only a smoke pass).
fuzz: deps
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} tests/fuzz/run.sh

format:
	find src tests -name '*.cpp' -o -name '*.h' | xargs clang-format -i

# clang-tidy cannot read GCC's precompiled headers: lint from a configuration
# without them (configure only; nothing is built).
tidy: deps
	cmake -S . -B build-tidy -G Ninja -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON -DCOPPER_TESTS=OFF >/dev/null
	run-clang-tidy -p build-tidy -quiet src/

clean:
	rm -rf $(BUILD_DIR) build-fuzz
