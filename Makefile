# fraglab: a free-list allocator (allocator/) and a trace-replay harness
# (harness/) that measures it against glibc, jemalloc, mimalloc and tcmalloc.
#
#   make            build build/libflmalloc.so, build/libflmalloc.a, build/fraglab
#   make test       install missing packages (deps), build, run every test
#   make test SAN=1 the same under ASan + UBSan, in build/san/
#   make bench      install missing packages (deps), build, run the comparison
#   make fuzz       libFuzzer campaigns on the trace readers and the .rep
#                   importer, FUZZ_SECONDS=N each (docs/fuzzing.md)
#   make deps       install the Debian packages fraglab needs (root), or
#                   print the exact apt-get command
#
# BUILD=DIR puts every output in DIR (default build/, build/san/ with SAN=1).

.DEFAULT_GOAL := all

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
PKG_CONFIG ?= pkg-config
CSTD := -std=c17 -D_GNU_SOURCE
WARN := -Wall -Wextra -Werror
OPT ?= -O2 -g
CFLAGS_COMMON := $(CSTD) $(WARN) $(OPT) -MMD -MP

# ---------------------------------------------------------------- allocator
# The core (every allocator/*.c but preload.c) exports only the prefixed
# flmalloc_* API; preload.c adds the standard names on top of it.
# -fno-builtin-* and -fno-tree-loop-distribute-patterns keep the compiler
# from turning our own code into calls to malloc/calloc/memset-in-a-loop
# that would recurse into us.
ALLOC_CFLAGS := $(CFLAGS_COMMON) -fPIC -ftls-model=initial-exec \
	-fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc \
	-fno-builtin-free -fno-tree-loop-distribute-patterns
ALLOC_CORE_SRC := $(filter-out allocator/preload.c,$(wildcard allocator/*.c))
ALLOC_CORE_OBJ := $(ALLOC_CORE_SRC:%.c=$(BUILD)/%.o)
ALLOC_PRELOAD_OBJ := $(BUILD)/allocator/preload.o

# Sanitized builds instrument the core (linked into tests), never the
# preload library: ASan must own malloc in its own process.
$(BUILD)/allocator/%.o: allocator/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLOC_CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/allocator/preload.o: allocator/preload.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLOC_CFLAGS) -c $< -o $@

$(BUILD)/allocator/nosan/%.o: allocator/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLOC_CFLAGS) -c $< -o $@

ALLOC_NOSAN_OBJ := $(ALLOC_CORE_SRC:allocator/%.c=$(BUILD)/allocator/nosan/%.o)

$(BUILD)/libflmalloc_core.a: $(ALLOC_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libflmalloc.a: $(ALLOC_NOSAN_OBJ) $(ALLOC_PRELOAD_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libflmalloc.so: $(ALLOC_NOSAN_OBJ) $(ALLOC_PRELOAD_OBJ)
	$(CC) -shared -Wl,-z,nodelete -Wl,-soname,libflmalloc.so -o $@ $^ -lpthread

# ---------------------------------------------------------------- harness
HARNESS_PKGS := jansson zlib
HARNESS_CFLAGS := $(CFLAGS_COMMON) $(shell $(PKG_CONFIG) --cflags $(HARNESS_PKGS) 2>/dev/null)
HARNESS_LIBS := $(shell $(PKG_CONFIG) --libs $(HARNESS_PKGS) 2>/dev/null) -ldl -lpthread -lm
# The replay child's main is not part of fraglab (see fraglab-child below).
CHILD_MAIN := harness/replay_child_main.c
HARNESS_SRC := $(filter-out $(CHILD_MAIN),$(wildcard harness/*.c))
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/%.o)
HARNESS_LIB_OBJ := $(filter-out $(BUILD)/harness/main.o,$(HARNESS_OBJ))

$(BUILD)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HARNESS_CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/fraglab: $(HARNESS_OBJ)
	$(CC) $(SANFLAGS) -o $@ $^ $(HARNESS_LIBS)

# $(BUILD)/fraglab-child runs each replay with the allocator under test in
# LD_PRELOAD.  Never sanitized: ASan owns malloc and refuses the preload.
CHILD_SRC := $(CHILD_MAIN) harness/replay.c harness/replay_ranges.c \
	harness/replay_verify.c harness/allocators.c harness/rss.c \
	harness/syscount.c harness/syscount_ptrace.c harness/series.c \
	harness/latency.c harness/replay_threads.c harness/replay_streams.c
CHILD_OBJ := $(CHILD_SRC:%.c=$(BUILD)/nosan/%.o)

$(BUILD)/nosan/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HARNESS_CFLAGS) -c $< -o $@

$(BUILD)/fraglab-child: $(CHILD_OBJ)
	$(CC) -o $@ $^ -ldl -lm -lpthread

# ---------------------------------------------------------------- recording shim
# build/libfltrace.so, preloaded by `fraglab record`.  Never sanitized (it
# is preloaded into arbitrary programs); only its hooks are exported.
SHIM_SRC := $(wildcard harness/shim/*.c)
SHIM_OBJ := $(SHIM_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/harness/shim/%.o: harness/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLOC_CFLAGS) -fvisibility=hidden -c $< -o $@

$(BUILD)/libfltrace.so: $(SHIM_OBJ)
	$(CC) -shared -Wl,-soname,libfltrace.so -o $@ $^ -ldl -lpthread

# ---------------------------------------------------------------- tests
# tests/alloc_*.c   link the allocator core (runs under ASan with SAN=1)
# tests/harness_*.c link the harness objects (all but main.o)
# tests/prog_*.c    plain programs run by the shell tests (no sanitizers,
#                   so they can host a preloaded allocator)
# tests/lib*.c      shared objects used as allocators under test
TEST_ALLOC_SRC := $(wildcard tests/alloc_*.c)
TEST_HARNESS_SRC := $(wildcard tests/harness_*.c)
TEST_PROG_SRC := $(wildcard tests/prog_*.c)
TEST_LIB_SRC := $(wildcard tests/lib*.c)
TEST_BINS := $(TEST_ALLOC_SRC:tests/%.c=$(BUILD)/tests/%) \
	$(TEST_HARNESS_SRC:tests/%.c=$(BUILD)/tests/%) \
	$(TEST_PROG_SRC:tests/%.c=$(BUILD)/tests/%) \
	$(TEST_LIB_SRC:tests/%.c=$(BUILD)/tests/%.so)
TEST_CFLAGS := $(CFLAGS_COMMON) -Iallocator -Iharness

$(BUILD)/tests/alloc_%: tests/alloc_%.c $(BUILD)/libflmalloc_core.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SANFLAGS) -o $@ $< $(BUILD)/libflmalloc_core.a -lpthread

$(BUILD)/tests/harness_%: tests/harness_%.c $(HARNESS_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(HARNESS_CFLAGS) $(SANFLAGS) -o $@ $< $(HARNESS_LIB_OBJ) $(HARNESS_LIBS)

$(BUILD)/tests/prog_%: tests/prog_%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< -lpthread

$(BUILD)/tests/lib%.so: tests/lib%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread

# ---------------------------------------------------------------- targets
OUTPUTS := $(BUILD)/libflmalloc.so $(BUILD)/libflmalloc.a \
	$(BUILD)/libflmalloc_core.a $(BUILD)/fraglab $(BUILD)/fraglab-child \
	$(BUILD)/libfltrace.so

.PHONY: all deps test bench clean
all: $(OUTPUTS)

# The packages fraglab builds, tests and benchmarks with, all from Debian 12.
DEPS_PKGS := gcc make pkg-config libjansson-dev zlib1g-dev \
	gnuplot-nox hyperfine libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4 \
	strace linux-perf python3 sqlite3 jq perl git \
	libpython3.11-testsuite clang libclang-rt-14-dev
deps:
	@missing=$$(for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "deps: missing packages; run:"; \
		echo "  sudo apt-get install -y" $$missing; \
		exit 1; \
	fi

test: deps
	@$(MAKE) --no-print-directory all tests-build
	@BUILD=$(BUILD) SAN=$(SAN) TESTS="$(TESTS)" tests/run.sh

.PHONY: tests-build
tests-build: $(OUTPUTS) $(TEST_BINS)

# Issue 5's allocator stress run, too long for `make test` (which runs the
# same program at 200k ops per thread): 8 threads x 1 million random
# malloc/realloc/free with cross-thread frees and content checks, per policy.
STRESS_OPS ?= 1000000
.PHONY: test-stress
test-stress: $(BUILD)/tests/alloc_threads
	@for p in addr lifo best seg; do \
		echo "stress: policy $$p"; \
		FLMALLOC_POLICY=$$p $(BUILD)/tests/alloc_threads --threads 8 --ops $(STRESS_OPS) || exit 1; \
	done

# The comparison (docs/bench.md): `make bench` runs `fraglab bench` into
# results/; QUICK=1 is the one-minute version.  TRACES="FILE|DIR ...",
# ALLOCS="glibc flmalloc:seg ...", RUNS=N and OUT=DIR choose what runs and
# where it goes; plot/threads_sweep.sh then plots throughput against
# thread count for gen's multi-threaded patterns (OUT/threads/, issue 8).
# `make sweep` answers flmalloc's design questions the same
# way (FLMALLOC_BIG, FLMALLOC_KEEP, the policies).
BENCH_FLAGS = $(if $(filter 1,$(QUICK)),--quick) $(foreach t,$(TRACES),--traces $(t)) \
	$(if $(RUNS),--runs $(RUNS)) $(if $(OUT),--out $(OUT))
.PHONY: sweep
bench: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/fraglab bench $(BENCH_FLAGS) $(foreach a,$(ALLOCS),--alloc $(a))
	BUILD=$(BUILD) OUT=$(or $(OUT),results) QUICK=$(QUICK) $(if $(ALLOCS),ALLOCS="$(ALLOCS)") \
		$(if $(RUNS),RUNS=$(RUNS)) plot/threads_sweep.sh

sweep: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/fraglab sweep $(BENCH_FLAGS)

# The bundled corpus (traces/README.md): `make traces` regenerates every
# trace in traces/; NAMES="gen-uniform python-json ..." only those.
.PHONY: traces
traces: deps
	@$(MAKE) --no-print-directory $(BUILD)/fraglab $(BUILD)/libfltrace.so
	BUILD=$(BUILD) traces/make-corpus.sh $(NAMES)

# Issue 5's real programs' own test suites with flmalloc preloaded, in
# full: a sizeable set of CPython's regression tests under every policy,
# outcome for outcome as on glibc.  `make test` runs a quick subset.
.PHONY: test-real
test-real: deps
	@$(MAKE) --no-print-directory all tests-build
	@BUILD=$(BUILD) bash tests/preload_cpython_suite.sh --full

# ---------------------------------------------------------------- fuzz
# Issue 5's fuzzing (docs/fuzzing.md): libFuzzer targets in tests/fuzz/ for
# the trace reader in both forms and the .rep importer, built with clang
# under ASan + UBSan into $(BUILD)/fuzz/.  `make fuzz FUZZ_SECONDS=N` runs
# each target for N seconds, one after another on one core, over a working
# corpus seeded from tests/fuzz/corpus, tests/fuzz/regressions and
# tests/data; findings land in $(BUILD)/fuzz/artifacts/TARGET/.
# `make test` replays the corpora and regressions (tests/fuzz_regressions.sh).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_trace_jsonl fuzz_trace_json fuzz_import_rep
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -MMD -MP $(shell $(PKG_CONFIG) --cflags $(HARNESS_PKGS) 2>/dev/null) \
	-Iharness -Itests/fuzz -fsanitize=fuzzer-no-link $(FUZZ_SANFLAGS)
# Only what the targets reach: the trace reader, the importer, the writer.
FUZZ_HARNESS_SRC := $(wildcard harness/trace*.c) harness/import_malloclab.c harness/record_writer.c
FUZZ_SUPPORT_SRC := $(filter-out $(FUZZ_TARGETS:%=tests/fuzz/%.c),$(wildcard tests/fuzz/*.c))
FUZZ_LIB_OBJ := $(FUZZ_HARNESS_SRC:%.c=$(BUILD)/fuzz/obj/%.o) $(FUZZ_SUPPORT_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANFLAGS) -o $@ $^ $(HARNESS_LIBS)

# Keep the objects: they are intermediate files of a chain of pattern rules.
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_TARGETS:%=$(BUILD)/fuzz/obj/tests/fuzz/%.o)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		BUILD=$(BUILD) tests/fuzz/campaign.sh $$t $(FUZZ_SECONDS) || exit 1; \
	done

clean:
	rm -rf build

-include $(wildcard $(BUILD)/allocator/*.d $(BUILD)/allocator/nosan/*.d \
	$(BUILD)/harness/*.d $(BUILD)/harness/shim/*.d $(BUILD)/tests/*.d \
	$(BUILD)/nosan/harness/*.d \
	$(BUILD)/fuzz/obj/harness/*.d $(BUILD)/fuzz/obj/tests/fuzz/*.d)
