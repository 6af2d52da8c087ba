#!/usr/bin/env bash
#
# tests/check/schema.sh - standing check (TAP): schema/netdoctor.report.v1.json
# is a valid JSON Schema 2020-12, every JSON report the tests made validates
# against it (tests/run.sh keeps them in ND_JSON_DIR through
# tests/tools/keepjson.c), one report made here validates too, and reports
# broken on purpose (a wrong status, a missing key, a bad id, an extra key,
# an exit code that contradicts the status) do not.  The validator is
# python3-jsonschema's Draft202012Validator.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 2
cd "$top" || exit 2
if ! python3 -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
	echo "1..0 # SKIP python3-jsonschema with draft 2020-12 missing (make deps)"
	exit 0
fi
bin=${ND_REAL_BIN:-${ND_BIN:-$top/netdoctor}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nd-schema.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# A report made here, so the check means something when run alone.
"$bin" run --format json --timeout 2s tcp://127.0.0.1:1 >"$tmp/own.json" 2>/dev/null

python3 - "$top/schema/netdoctor.report.v1.json" "$tmp/own.json" \
    "${ND_JSON_DIR:-}" <<'PY'
import copy, glob, json, os, sys
import jsonschema

schema_path, own_path, kept_dir = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
def ok(cond, text, diag=()):
    global n
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, text))
    for line in diag:
        print("# " + line)

schema = json.load(open(schema_path))
try:
    jsonschema.Draft202012Validator.check_schema(schema)
    ok(True, "the schema is a valid JSON Schema 2020-12")
except jsonschema.SchemaError as e:
    ok(False, "the schema is a valid JSON Schema 2020-12", [e.message])
    sys.exit(0)
v = jsonschema.Draft202012Validator(schema)

def errors(doc):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)",
                        e.message) for e in v.iter_errors(doc)]

own = json.load(open(own_path))
ok(not errors(own), "a report of a refused port validates", errors(own)[:5])

# Broken on purpose: each must fail.
def broken(text, change):
    doc = copy.deepcopy(own)
    change(doc)
    ok(bool(errors(doc)), "rejected: " + text)
broken("status 'fine'", lambda d: d.update(status="fine"))
broken("no probes", lambda d: d.pop("probes"))
broken("a cause id 'TCP refused'", lambda d: d["causes"][0].update(id="TCP refused"))
broken("a key the contract does not have", lambda d: d.update(extra=1))
broken("exit_code 0 with status critical", lambda d: d.update(exit_code=0))
broken("a probe status 'running'", lambda d: d["probes"][0].update(status="running"))
broken("severity 'fatal'", lambda d: d["causes"][0].update(severity="fatal"))
broken("evidence as a number", lambda d: d["probes"][0]["findings"][0]["evidence"].update(x=1))

# Every report the tests kept.
if kept_dir:
    files = sorted(glob.glob(os.path.join(kept_dir, "report.*.json")))
    bad = []
    for f in files:
        try:
            doc = json.load(open(f))
        except ValueError as e:
            doc, errs = None, ["not JSON: %s" % e]
        if doc is not None:
            errs = errors(doc)
        if errs:
            args = open(f + ".args").read().strip() if os.path.exists(f + ".args") else "?"
            bad.append("netdoctor %s: %s" % (args, "; ".join(errs[:3])))
    if files:
        ok(not bad, "all %d JSON reports the tests made validate" % len(files), bad[:20])
    else:
        ok(True, "no JSON report kept by the tests # SKIP the lab tests did not run (not root?)")
else:
    ok(True, "every JSON report the tests made # SKIP not run by tests/run.sh")
print("1..%d" % n)
PY
