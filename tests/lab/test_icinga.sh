#!/usr/bin/env bash
# Lab: contrib/icinga2/netdoctor.conf with a real Icinga 2.  `icinga2
# daemon -C` validates it with a host and two services; then Icinga 2 runs
# in the foreground (temporary config, state, log and spool directories,
# in this test's namespace) until it has checked both services, and the
# check results as Icinga parsed them (state and perfdata, through its
# PerfdataWriter) are read back: CRITICAL for a refused port, OK with the
# per-layer label 'tcp_connect' and its ranges for a listening one.  The
# Nagios definitions are checked for the command lines they run.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd icinga2 python3
ns_add icinga >/dev/null

I=$ND_TMP/icinga
mkdir -p "$I"/{etc,lib,log,cache,spool,run,perf}
# A port that accepts, in the namespace.
ns_spawn icinga python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7443)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()' >/dev/null 2>&1
wait_for_port icinga 127.0.0.1 7443 || diag "the listener did not start"

cat >"$I/etc/icinga2.conf" <<C
include <itl>
include "$ND_TOP/contrib/icinga2/netdoctor.conf"
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$I/perf/service.tmp"
  service_temp_path = "$I/perf/service.tmp"
  host_perfdata_path = "$I/perf/host.tmp"
  host_temp_path = "$I/perf/host.tmp"
  service_format_template = "SERVICEDESC::\$service.name\$\tSERVICESTATE::\$service.state\$\tSERVICEPERFDATA::\$service.perfdata\$"
  rotation_interval = 1s
}
object Host "lab" {
  check_command = "dummy"
  enable_active_checks = false
}
template Service "nd" {
  host_name = "lab"
  check_command = "netdoctor"
  vars.netdoctor_binary = "$ND_BIN"
  vars.netdoctor_warning = "0.5"
  vars.netdoctor_critical = "1"
  vars.netdoctor_budget = "5s"
  check_interval = 1s
  retry_interval = 1s
  max_check_attempts = 1
}
object Service "refused" {
  import "nd"
  vars.netdoctor_targets = [ "tcp://127.0.0.1:1" ]
}
object Service "healthy" {
  import "nd"
  vars.netdoctor_targets = [ "tcp://127.0.0.1:7443" ]
}
C
D=(-DConfigDir="$I/etc" -DDataDir="$I/lib" -DLogDir="$I/log" -DCacheDir="$I/cache"
   -DSpoolDir="$I/spool" -DInitRunDir="$I/run" -DRunAsUser=root -DRunAsGroup=root)
ns_exec icinga icinga2 daemon -C -c "$I/etc/icinga2.conf" "${D[@]}" >"$I/validate.log" 2>&1
ok $? "icinga2 daemon -C accepts contrib/icinga2/netdoctor.conf with a host and services"
like "$(cat "$I/validate.log")" 'Instantiated 2 Services' "icinga2 -C: both services use the CheckCommand"

ns_spawn icinga icinga2 daemon -c "$I/etc/icinga2.conf" "${D[@]}" >"$I/daemon.log" 2>&1
ICINGA=$ND_PID
at_exit kill "$ICINGA"
# The writer renames its file every second, to a name with the second in
# it (a later rotation in the same second replaces it): keep every line
# as it appears.
have() { grep -c "^SERVICEDESC::$1	" "$I/seen"; }
: >"$I/seen"
for _ in $(seq 120); do
	cat "$I"/perf/service.tmp* >>"$I/seen" 2>/dev/null
	[ "$(have refused)" -gt 0 ] && [ "$(have healthy)" -gt 0 ] && break
	sleep 0.5
done
kill "$ICINGA" 2>/dev/null
wait "$ICINGA" 2>/dev/null
line() { grep -m1 "^SERVICEDESC::$1	" "$I/seen"; }
R=$(line refused)
H=$(line healthy)
diag "Icinga recorded: $R"
diag "Icinga recorded: $H"
like "$R" 'SERVICESTATE::CRITICAL' "Icinga 2: the refused port is CRITICAL"
like "$R" "SERVICEPERFDATA::duration=[0-9.]+s;;;0 causes=1;;;0 probes=2;;;0" \
    "Icinga 2 parsed the run's perfdata of the refused check"
like "$H" 'SERVICESTATE::OK' "Icinga 2: the listening port is OK"
like "$H" 'tcp_connect=[0-9.]+s;0.5;1;0;5' \
    "Icinga 2 parsed 'tcp_connect' with its warning and critical ranges and min/max"
like "$H" "127.0.0.1:7443=[0-9.]+s;0.5;1;0;5" "Icinga 2 parsed the per-target label too"

# Nagios: the command lines the definitions run are netdoctor check lines.
while read -r cl; do
	cl=${cl#command_line}
	cl=$(sed -e 's/\$ARG1\$/tcp:\/\/127.0.0.1:1/' -e 's/\$ARG2\$/0.5/' \
	    -e 's/\$ARG3\$/1/' -e "s#/usr/local/bin/netdoctor#$ND_BIN#" <<<"$cl")
	[[ $cl == *--config* ]] && continue
	# shellcheck disable=SC2086 # the command line is split as Nagios does
	out=$(ns_exec icinga $cl)
	rc=$?
	is "$rc" 2 "contrib/nagios: '$(sed "s#$ND_BIN#netdoctor#" <<<"$cl")' exits CRITICAL"
	like "$out" '^NETDOCTOR CRITICAL - ' "contrib/nagios: plugin output"
done < <(grep -E '^\s+command_line' "$ND_TOP/contrib/nagios/netdoctor.cfg")
done_testing
