# Thin front over CMake. `make demo` and `make test` work on a fresh Debian 12
# machine: they install what is missing (as root), build, and run.
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
ATTN := $(BUILD)/attn
DATA ?= data/spamassassin
RUN ?= runs/spam

# Debian 12 packages the build, tests and demo need.
PACKAGES := g++ cmake ninja-build pkg-config make libopenblas-dev nlohmann-json3-dev \
            libcli11-dev libfmt-dev libgtest-dev libssl-dev clang-format \
            libstb-dev fonts-dejavu-core chromium clang libclang-rt-14-dev valgrind bible-kjv \
            sword-text-sparv diatheke \
            libsentencepiece-dev libbenchmark-dev
# And what `make bench` needs besides: PyTorch to compare against, on OpenBLAS (the
# reference BLAS that libblas.so.3 otherwise is would make PyTorch ~25× slower).
BENCH_PACKAGES := python3-torch libopenblas0-pthread

.PHONY: all deps build cli test test-asan test-tsan fuzz check-deep demo bench fixtures format \
        format-check clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done; \
	  command -v npm >/dev/null 2>&1 || echo npm); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
	  echo "missing Debian packages; run:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y $$missing"; \
	  exit 1; \
	fi

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Only the program (the tests and benchmarks are not needed to run the demo).
cli: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target attn_cli

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer. Left out:
# the RSS checks (shadow memory inflates RSS) and three whole-corpus runs that take
# 25-57 s each under ASan (a full example-config training and two SentencePiece
# trainings, mostly inside the uninstrumented library); `make test` runs them, and
# shorter ASan tests cover the same attn code paths. allocator_may_return_null (here and
# under TSan): an impossible request returns null as glibc's does, instead of aborting,
# so the arena's out-of-memory path is tested too. -g1 (line tables, -O0): reports still
# name function, file and line, and the build takes about a quarter less time than with -g.
ASAN_EXCLUDE := MemoryPlanRss|TrainCli.CharClassifierConfigTrains|KjvTokenizer.Bpe
test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
	  -DATTN_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) -LE slow \
	  -E '$(ASAN_EXCLUDE)'

# The thread pool, every kernel and the optimizers under ThreadSanitizer (data
# races between the pool's workers), in their own small test binary. OpenBLAS is
# not instrumented; attn pins it to one thread. -O1 -g1 keeps the build short.
test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DATTN_TSAN=ON
	cmake --build $(BUILD_TSAN) -j $(JOBS) --target attn_tsan_tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1" $(BUILD_TSAN)/tests/attn_tsan_tests \
	  --gtest_brief=1

# libFuzzer (clang) over every reader of outside data, FUZZ_SECONDS per target;
# seeds in fuzz/corpus/. CI runs `make fuzz FUZZ_SECONDS=30`.
fuzz: deps
	CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DATTN_FUZZ=ON -DATTN_BUILD_TESTS=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzzers
	scripts/run_fuzzers.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# Nightly-style deep check (too slow for CI): a short real `attn train` under
# valgrind's memcheck, which must report no error.
check-deep: deps
	scripts/check_deep.sh

demo: cli
	$(ATTN) data fetch spamassassin --out $(DATA)
	$(ATTN) train --config examples/spam_classifier.json --train $(DATA)/train.jsonl \
	  --valid $(DATA)/valid.jsonl --test $(DATA)/test.jsonl --out $(RUN)
	$(ATTN) evaluate --checkpoint $(RUN) --data $(DATA)/test.jsonl
	@echo "checkpoint: $(RUN)/  metrics: $(RUN)/metrics.jsonl  report: $(RUN)/report.html"

# Kernel micro-benchmarks (Google Benchmark: GFLOP/s and % of the sgemm peak), then the
# side-by-side table against PyTorch (bench/compare_torch.sh -> bench/results/latest.{md,json}).
bench: $(BUILD)/build.ninja
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) $(BENCH_PACKAGES)"
	cmake --build $(BUILD) -j $(JOBS) --target micro_bench attention_n_bench generate_bench attn
	$(BUILD)/micro_bench --threads=$(JOBS)
	bench/compare_torch.sh $(JOBS)

# Regenerates tests/fixtures with PyTorch (Debian python3-torch); not needed to build or test.
fixtures:
	/usr/bin/python3 scripts/make_fixtures.py --out tests/fixtures
	/usr/bin/python3 scripts/fixtures_explain.py
	/usr/bin/python3 scripts/fixtures_lm.py --out tests/fixtures
	/usr/bin/python3 scripts/fixtures_seq2seq.py --out tests/fixtures

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check: deps
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_FUZZ)
