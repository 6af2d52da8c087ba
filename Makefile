# netdoctor - see README.md.  Targets: all (default), deps, check, demo,
# bench, install, uninstall, clean.  `make SAN=1 check` builds and tests with
# ASan+UBSan in a separate object tree.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/netdoctor
DESTDIR	?=

CC	?= cc
# libcurl, libpcap and OpenSSL are compiled against but not linked:
# core/clients/curlload.c, pcapload.c and sslload.c load them when a probe
# first needs them (docs/performance.md).
PKGS_LINK = libnl-3.0 libnl-route-3.0 libnl-idiag-3.0 libcares \
	   yaml-0.1 jansson
PKGS	 = $(PKGS_LINK) libcurl libpcap openssl
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wpointer-arith -Wcast-qual -Wno-unused-parameter
CSTD	 = -std=c17 -D_GNU_SOURCE
OPT	?= -O2 -g

ifeq ($(SAN),1)
VARIANT	 = san
OPT	 = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
else
VARIANT	 = release
endif
ifeq ($(CI),true)
WARN	+= -Werror
endif

OBJDIR	 = build/$(VARIANT)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS_LINK) 2>/dev/null)
# The unit tests make keys and certificates with OpenSSL itself.
TEST_LIBS  := $(shell pkg-config --libs openssl 2>/dev/null)
# Every folder of the data flow is on the include path, so a module names
# a header by its file name alone ("target.h") wherever either lives.
SRC_DIRS = core core/input core/wire core/clients core/cluster probes reports
INCS	 = -I. $(SRC_DIRS:%=-I%)
CFLAGS	+= $(CSTD) $(OPT) $(WARN) $(INCS) $(PKG_CFLAGS)
LDFLAGS	+= $(if $(filter san,$(VARIANT)),-fsanitize=address$(,)undefined)
, := ,

CORE_SRCS	= $(filter-out core/main.c,$(wildcard core/*.c core/*/*.c))
PROBE_SRCS	= $(wildcard probes/*.c)
REPORT_SRCS	= $(wildcard reports/*.c)
LIB_SRCS	= $(CORE_SRCS) $(PROBE_SRCS) $(REPORT_SRCS)
LIB_OBJS	= $(LIB_SRCS:%.c=$(OBJDIR)/%.o)
UNIT_SRCS	= $(wildcard tests/unit/test_*.c)
UNIT_BINS	= $(UNIT_SRCS:tests/unit/%.c=$(OBJDIR)/tests/%)
# Test tools: keepjson keeps every JSON report the tests make, so that
# tests/check/schema.sh can validate them all (tests/run.sh).
TOOL_SRCS	= $(wildcard tests/tools/*.c)
TOOL_BINS	= $(TOOL_SRCS:tests/tools/%.c=$(OBJDIR)/tools/%)
HDRS		= $(wildcard $(SRC_DIRS:%=%/*.h) $(SRC_DIRS:%=%/*.def))

.PHONY: all deps check unit lab demo bench install install-setcap uninstall clean FORCE

all: netdoctor

# Every Debian package the build, the tests, the demo and the benchmarks
# need.  Quiet and quick when all are installed; needs root otherwise.
DEB_PKGS = gcc make pkg-config libpcap-dev libnl-3-dev libnl-route-3-dev \
	   libnl-idiag-3-dev libc-ares-dev libssl-dev libcurl4-openssl-dev \
	   libyaml-dev libjansson-dev libcmocka-dev iproute2 procps jq nmap \
	   mandoc time python3 python3-grpcio python3-protobuf \
	   python3-cryptography python3-h2 openssl curl dnsmasq-base \
	   bind9-dnsutils dnsperf arp-scan libcap2-bin iputils-arping \
	   monitoring-plugins-basic valgrind nginx-light haproxy \
	   python3-jsonschema prometheus prometheus-blackbox-exporter icinga2
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null \
		|| { echo "make deps: apt-get failed (run as root?)" >&2; exit 1; }; \
	fi

$(OBJDIR)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/libnd.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(OBJDIR)/netdoctor: $(OBJDIR)/core/main.o $(OBJDIR)/libnd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ./netdoctor is always the variant last asked for.
netdoctor: $(OBJDIR)/netdoctor FORCE
	@cmp -s $< $@ || cp $< $@

$(OBJDIR)/tests/%: tests/unit/%.c $(OBJDIR)/libnd.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(OBJDIR)/libnd.a $(LDFLAGS) $(PKG_LIBS) \
	    $(TEST_LIBS) -lcmocka

$(OBJDIR)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) -o $@ $< $(LDFLAGS)

unit: $(UNIT_BINS) $(TOOL_BINS)

check: deps
	@$(MAKE) --no-print-directory netdoctor unit
	@OBJDIR=$(OBJDIR) tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory netdoctor
	@tests/lab/demo.sh

bench: deps
	@$(MAKE) --no-print-directory netdoctor
	@tests/bench/run.sh

install: netdoctor
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(SHAREDIR)/schema
	install -m 0755 netdoctor $(DESTDIR)$(BINDIR)/netdoctor
	install -m 0644 man/netdoctor.1 $(DESTDIR)$(MANDIR)/man1/netdoctor.1
	install -m 0644 schema/netdoctor.report.v1.json \
	    $(DESTDIR)$(SHAREDIR)/schema/netdoctor.report.v1.json
	install -d $(DESTDIR)$(SHAREDIR)/icinga2 $(DESTDIR)$(SHAREDIR)/nagios
	install -m 0644 contrib/icinga2/netdoctor.conf \
	    $(DESTDIR)$(SHAREDIR)/icinga2/netdoctor.conf
	install -m 0644 contrib/nagios/netdoctor.cfg \
	    $(DESTDIR)$(SHAREDIR)/nagios/netdoctor.cfg

# The arp probe captures and sends ARP: CAP_NET_RAW.  This gives the
# installed binary that one capability instead of running it as root;
# netdoctor drops it again once its capture handles are open.
install-setcap: install
	setcap cap_net_raw+ep $(DESTDIR)$(BINDIR)/netdoctor

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netdoctor $(DESTDIR)$(MANDIR)/man1/netdoctor.1
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf build netdoctor

FORCE:

# make fuzz, make fuzz-replay (tests/fuzz/fuzz.mk)
include tests/fuzz/fuzz.mk
