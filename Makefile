# examd. `make` builds bin/, `make test` runs every test, `make asan` runs
# them again under AddressSanitizer + UndefinedBehaviorSanitizer.

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
BIN	?= bin
CC	?= cc

PKGS	 = libevent libevent_openssl libevent_pthreads openssl sqlite3 \
	   libxml-2.0 jansson libargon2
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wcast-qual -Werror
OPT	?= -O2 -g
SAN	?=
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -MMD -MP \
	   -Iexamd -I$(BUILD) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	+= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

# examctl import finds the installed QTI schemas here (see examctl(8)).
$(BUILD)/examd/ctl_bank.o: CFLAGS += -DEXAMD_SHARE_DIR=\"$(PREFIX)/share/examd\"
LDFLAGS	+= $(SAN)

# Every examd/*.c but the two mains is the shared library of the tools.
LIB_SRC	 = $(filter-out examd/main.c examd/examctl.c,$(wildcard examd/*.c))
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema.o
SCHEMA	 = $(sort $(wildcard examd/schema/*.sql))
CLIENT_SRC = $(filter-out client/examc.c,$(wildcard client/*.c))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
PROGS	 = $(BIN)/examd $(BIN)/examctl \
	   $(if $(wildcard client/examc.c),$(BIN)/examc) \
	   $(if $(wildcard proctor/examproctor.c),$(BIN)/examproctor)

.PHONY: all deps test unit integration browser asan bench demo demo-stop install clean
all: deps $(PROGS)

# Installs missing Debian packages when root; otherwise says what to install.
deps:
	@{ pkg-config --exists $(PKGS) cmocka 2>/dev/null && \
	    [ -f /usr/share/zoneinfo/UTC ]; } || sh scripts/deps.sh

$(BUILD)/schema.c: $(SCHEMA) scripts/embed-sql.sh
	@mkdir -p $(@D)
	sh scripts/embed-sql.sh $(SCHEMA) > $@.tmp && mv $@.tmp $@

$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libexamd.a: $(LIB_OBJ) $(CLIENT_SRC:%.c=$(BUILD)/%.o)
	rm -f $@
	ar rcs $@ $^

$(BIN)/examd: $(BUILD)/examd/main.o $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/examctl: $(BUILD)/examd/examctl.o $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/examc: $(BUILD)/client/examc.o $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/examproctor: $(BUILD)/proctor/examproctor.o $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libexamd.a $(LDLIBS) \
	    $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libexamd.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libexamd.a $(LDLIBS)

# One summary line at the end: "N passed, N failed".
test: all $(UNIT_BIN)
	sh tests/run.sh $(BUILD) $(BIN)

unit: all $(UNIT_BIN)
	sh tests/run.sh $(BUILD) $(BIN) unit

asan:
	$(MAKE) BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g" \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    test

bench: all $(BENCH_BIN)
	sh scripts/bench.sh $(BUILD) $(BIN)

demo: all
	sh scripts/demo.sh

demo-stop:
	@if [ -f demo/examd.pid ]; then kill "$$(cat demo/examd.pid)" 2>/dev/null || true; rm -f demo/examd.pid; fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/examd
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	cp -R items $(DESTDIR)$(PREFIX)/share/examd/
	if [ -d client/web ]; then cp -R client/web $(DESTDIR)$(PREFIX)/share/examd/; fi

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
