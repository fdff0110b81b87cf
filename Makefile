# grr - record and replay debugger for Go programs.
#
#   make            build bin/grr (and bin/rr, a link to it)
#   make deps       install missing build/test dependencies (apt-get, as root)
#   make check      deps + build + unit tests (plain and ASan/UBSan) + e2e
#   make demo       record and replay the bundled example Go program
#   make bench      benchmarks; figures go to docs/benchmarks.md
#   make bench-races  the race benchmark (docs/benchmarks.md, "Races")
#   make fuzz       fuzz the trace reader for FUZZ_SECONDS (libFuzzer)

CC      ?= gcc
VERSION := 0.2.0
PKGS    := libelf liblz4 capstone libedit
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g \
	-I. -DGRR_VERSION=\"$(VERSION)\" \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/libdwarf
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldwarf -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

# Flavours: release (bin/grr) and asan (unit tests under ASan + UBSan).
FLAVOR  ?= release
ifeq ($(FLAVOR),asan)
CFLAGS_FLAVOR := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDFLAGS_FLAVOR := -fsanitize=address,undefined
else
CFLAGS_FLAVOR := -O2
LDFLAGS_FLAVOR :=
endif
CFLAGS  := $(CFLAGS_BASE) $(CFLAGS_FLAVOR) $(EXTRA_CFLAGS)
LDFLAGS := $(LDFLAGS_FLAVOR)
B       := build/$(FLAVOR)

# Modules, leaf first.  format/ knows nothing of ptrace; tracee/ is the
# process-control layer and syscall knowledge shared by recorder and
# replayer; tools/ holds the grr command's entry point and the subcommands
# that only read traces.
FORMAT_SRC   := $(wildcard format/*.c)
TRACEE_SRC   := $(wildcard tracee/*.c)
TRACEE_ASM   := $(wildcard tracee/*.S)
RECORDER_SRC := $(wildcard recorder/*.c)
REPLAYER_SRC := $(wildcard replayer/*.c replayer/*/*.c)
TOOLS_SRC    := $(wildcard tools/*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))
FORMAT_OBJ   := $(call obj,$(FORMAT_SRC))
TRACEE_OBJ   := $(call obj,$(TRACEE_SRC)) $(patsubst %.S,$(B)/%.o,$(TRACEE_ASM))
RECORDER_OBJ := $(call obj,$(RECORDER_SRC))
REPLAYER_OBJ := $(call obj,$(REPLAYER_SRC))
TOOLS_OBJ    := $(call obj,$(TOOLS_SRC))
LIB_OBJ      := $(FORMAT_OBJ) $(TRACEE_OBJ) $(RECORDER_OBJ) $(REPLAYER_OBJ)

UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.PHONY: all deps check unit unit-asan e2e demo bench bench-races fuzz clean
all: bin/grr bin/rr

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(B)/libgrr.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/grr: $(TOOLS_OBJ) $(B)/libgrr.a
	$(CC) $(LDFLAGS) -o $@ $(TOOLS_OBJ) $(B)/libgrr.a $(LDLIBS)

bin/grr: $(B)/grr
	@mkdir -p bin
	cp $< $@.tmp && mv -f $@.tmp $@

# grr answers to rr's command line under the name rr (tools/cmd_rr.c):
# Delve's rr backend, and so VS Code and GoLand, run it (docs/ide.md)
bin/rr: bin/grr
	ln -sf grr $@

$(B)/tests/%: tests/unit/%.c $(B)/libgrr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libgrr.a $(CHECK_LIBS) $(LDLIBS)

# test_digester drives a helper process built without sanitizers (their
# shadow mappings would make every full digest walk terabytes).
$(B)/tests/memchild: tests/unit/helpers/memchild.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -o $@ $<

$(B)/tests/test_digester: $(B)/tests/memchild

deps:
	@tools/deps.sh

unit: $(UNIT_BIN)
	@tools/run-unit-tests.sh $(UNIT_BIN)

unit-asan:
	$(MAKE) FLAVOR=asan unit

e2e: bin/grr
	@tests/e2e/run.sh

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) e2e

demo: deps
	$(MAKE) all
	@tools/demo.sh

bench: deps
	$(MAKE) all
	@tools/bench.sh

# the race benchmark: concurrency bugs natively, under grr flaky --chaos and
# plain grr flaky (RACE_MANIFEST adds externally built test binaries)
bench-races: deps
	$(MAKE) all
	@tools/bench-races.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@tools/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- trace format: synthetic traces, benchmark, fuzzing ----
# synth writes synthetic traces (tests, fuzz seeds); bench_format measures
# the format library.  Both link the format objects only.
SYNTH_GEN_OBJ := $(B)/tests/bench/synth_gen.o

$(B)/tests/synth: $(B)/tests/bench/synth.o $(SYNTH_GEN_OBJ) $(FORMAT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/bench_format: $(B)/tests/bench/bench_format.o $(SYNTH_GEN_OBJ) $(FORMAT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# tamper copies a trace changing one syscall result or CPU feature bit
# (divergence and refusal tests); it links the format objects only.
$(B)/tests/tamper: $(B)/tests/tools/tamper.o $(FORMAT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the end-to-end tests feed synthetic traces to grr dump / grr info, and
# tamper with recorded traces
e2e: $(B)/tests/synth $(B)/tests/tamper
