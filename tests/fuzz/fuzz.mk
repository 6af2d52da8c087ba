# tests/fuzz/fuzz.mk - fuzzing, included from the top Makefile:
#
#	include tests/fuzz/fuzz.mk
#
# (or, before that: make -f Makefile -f tests/fuzz/fuzz.mk TARGET).
# Uses CSTD, WARN, PKG_CFLAGS, PKG_LIBS, LIB_SRCS and HDRS from the top
# Makefile.  Targets:
#
#   fuzz          builds every harness with clang -fsanitize=fuzzer,address,
#                 undefined (the library compiled with the same sanitizers
#                 and fuzzer coverage into build/fuzz/), then runs each for
#                 FUZZ_SECONDS (default 30) with -max_len=4096 on a working
#                 copy of its corpus in build/fuzz/corpus/T; fails on any
#                 crash, leak, timeout or failed invariant, leaving the input
#                 in build/fuzz/artifacts/T/.  make -j runs them in parallel.
#   fuzz-T        the same for one harness T (url config util jsonw ...:
#                 every tests/fuzz/fuzz_T.c)
#   fuzz-replay   builds replay.c + each harness with gcc and ASan+UBSan into
#                 build/fuzz-replay/ and runs it over tests/fuzz/corpus/T:
#                 the regression test tests/check/fuzz_replay.sh runs, gcc
#                 only, a few seconds
#   fuzz-clean    removes build/fuzz and build/fuzz-replay
#
# Knobs: FUZZ_TARGETS, FUZZ_SECONDS, FUZZ_MAX_LEN, FUZZ_TIMEOUT (seconds per
# input), FUZZ_FLAGS (more libFuzzer flags, e.g. -jobs=2 -workers=2),
# FUZZ_CC (clang), FUZZ_REPLAY_CC (gcc).  Inputs that libFuzzer finds worth
# keeping stay in build/fuzz/corpus/T; merge the good ones into
# tests/fuzz/corpus/T with  build/fuzz/fuzz_T -merge=1 tests/fuzz/corpus/T
# build/fuzz/corpus/T  (keep each corpus under 200 files).

# Every tests/fuzz/fuzz_T.c is a harness T with its seeds in corpus/T.
FUZZ_TARGETS	?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS	?= 30
FUZZ_MAX_LEN	?= 4096
FUZZ_TIMEOUT	?= 10
FUZZ_FLAGS	?=
FUZZ_CC		?= clang
FUZZ_REPLAY_CC	?= gcc

FUZZ_SRC	 = tests/fuzz
FUZZ_DIR	 = build/fuzz
FUZZ_RDIR	 = build/fuzz-replay
FUZZ_HDRS	 = $(HDRS) $(FUZZ_SRC)/fuzz_common.h

FUZZ_SAN	 = address,undefined
FUZZ_CFLAGS	 = $(CSTD) -O1 -g -fno-omit-frame-pointer $(WARN) $(INCS) \
		   -I$(FUZZ_SRC) $(PKG_CFLAGS) -fno-sanitize-recover=all
# The library is linted by the main build; here, at -O1 with sanitizers
# and with clang, its warnings (shown) must not stop the fuzzing (CI=true).
FUZZ_LIB_CFLAGS	 = $(FUZZ_CFLAGS) -Wno-error

# Sanitizer reports end in abort() so replay can name the input.
FUZZ_ENV	 = ASAN_OPTIONS=abort_on_error=1:detect_leaks=1$${ASAN_OPTIONS:+:$$ASAN_OPTIONS} \
		   UBSAN_OPTIONS=abort_on_error=1:halt_on_error=1:print_stacktrace=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}

FUZZ_LIB_OBJS	 = $(LIB_SRCS:%.c=$(FUZZ_DIR)/%.o)
FUZZ_BINS	 = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_RUNS	 = $(FUZZ_TARGETS:%=fuzz-%)
FUZZ_RLIB_OBJS	 = $(LIB_SRCS:%.c=$(FUZZ_RDIR)/%.o)
FUZZ_RBINS	 = $(FUZZ_TARGETS:%=$(FUZZ_RDIR)/replay_%)

.PHONY: fuzz fuzz-replay fuzz-clean $(FUZZ_RUNS)

# ---- libFuzzer (clang) ----

$(FUZZ_LIB_OBJS): $(FUZZ_DIR)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<

$(FUZZ_DIR)/libnd.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_HDRS) \
    $(FUZZ_DIR)/libnd.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_DIR)/libnd.a $(PKG_LIBS) -lm

# Each run starts from the seeds plus what earlier runs kept.
$(FUZZ_RUNS): fuzz-%: $(FUZZ_DIR)/fuzz_%
	@mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/artifacts/$*
	@cp -R $(FUZZ_SRC)/corpus/$*/. $(FUZZ_DIR)/corpus/$*/
	@echo "fuzz $*: $(FUZZ_SECONDS) s"
	@$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$(FUZZ_MAX_LEN) -timeout=$(FUZZ_TIMEOUT) \
	    -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$*/ \
	    $(addprefix -dict=,$(wildcard $(FUZZ_SRC)/$*.dict)) \
	    $(FUZZ_FLAGS) $(FUZZ_DIR)/corpus/$* \
	    || { echo "fuzz $*: FAILED, input in $(FUZZ_DIR)/artifacts/$*/" >&2; \
		exit 1; }

fuzz: $(FUZZ_RUNS)

# ---- corpus replay (gcc, no libFuzzer) ----

$(FUZZ_RLIB_OBJS): $(FUZZ_RDIR)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_REPLAY_CC) $(FUZZ_LIB_CFLAGS) -fsanitize=$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_RDIR)/libnd.a: $(FUZZ_RLIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_RDIR)/replay.o: $(FUZZ_SRC)/replay.c $(FUZZ_SRC)/fuzz_common.h
	@mkdir -p $(dir $@)
	$(FUZZ_REPLAY_CC) $(FUZZ_CFLAGS) -fsanitize=$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_RBINS): $(FUZZ_RDIR)/replay_%: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_HDRS) \
    $(FUZZ_RDIR)/replay.o $(FUZZ_RDIR)/libnd.a
	$(FUZZ_REPLAY_CC) $(FUZZ_CFLAGS) -fsanitize=$(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_RDIR)/replay.o $(FUZZ_RDIR)/libnd.a $(PKG_LIBS) -lm

fuzz-replay: $(FUZZ_RBINS)
	@for t in $(FUZZ_TARGETS); do \
		printf 'fuzz-replay %s: ' "$$t"; \
		$(FUZZ_ENV) $(FUZZ_RDIR)/replay_$$t $(FUZZ_SRC)/corpus/$$t \
		    || { echo "fuzz-replay $$t: FAILED" >&2; exit 1; }; \
	done

fuzz-clean:
	rm -rf $(FUZZ_DIR) $(FUZZ_RDIR)
