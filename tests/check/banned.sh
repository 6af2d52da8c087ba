#!/usr/bin/env bash
#
# tests/check/banned.sh - standing check (TAP) for the rules of docs/architecture.md 6
# that a grep can enforce, over the C sources in core/ probes/ reports/ and
# tests/unit/, tracked or not yet added (but not git-ignored):
#   - no strcpy strcat sprintf vsprintf strtok atoi atol gets (unbounded or
#     unchecked), no system popen (shell), no alarm sleep usleep (the event
#     loop owns time): one test per name;
#   - no scanf-family call with a %s or %[ conversion without a field width;
#   - no exit() outside core/main.c.
# Comments and string literals are blanked out before matching (line numbers
# kept), so prose and messages may name the functions.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 2
cd "$top" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nd-banned.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

banned=(strcpy strcat sprintf vsprintf strtok atoi atol gets system popen
	alarm sleep usleep)
dirs=(core probes reports tests/unit)

files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	while IFS= read -r f; do
		[ -f "$f" ] && files+=("$f")
	done < <(git ls-files --cached --others --exclude-standard -- \
	    "${dirs[@]/%//*.c}" "${dirs[@]/%//*.h}" | sort -u)
else
	while IFS= read -r f; do
		files+=("$f")
	done < <(find "${dirs[@]}" -name '*.[ch]' -type f 2>/dev/null | sort)
fi

# strip.awk - blanks C comments, and string/char literals unless keep=1,
# keeping every line so grep -n numbers stay right.
cat >"$tmp/strip.awk" <<'EOF'
{
	line = $0; out = ""; n = length(line); i = 1
	while (i <= n) {
		c = substr(line, i, 1); c2 = substr(line, i, 2)
		if (incomment) {
			if (c2 == "*/") { incomment = 0; out = out "  "; i += 2 }
			else { out = out " "; i++ }
			continue
		}
		if (c2 == "//") break
		if (c2 == "/*") { incomment = 1; out = out "  "; i += 2; continue }
		if (c == "\"" || c == "'") {
			q = c; out = out c; i++
			while (i <= n) {
				c = substr(line, i, 1)
				if (c == "\\") {
					out = out (keep ? substr(line, i, 2) : "  ")
					i += 2; continue
				}
				if (c == q) break
				out = out (keep ? c : " "); i++
			}
			out = out q; i++
			continue
		}
		out = out c; i++
	}
	print out
}
EOF

# Blanked copies: code/ without comments or strings, fmt/ keeps strings.
for f in "${files[@]}"; do
	mkdir -p "$tmp/code/$(dirname "$f")" "$tmp/fmt/$(dirname "$f")"
	awk -v keep=0 -f "$tmp/strip.awk" "$f" >"$tmp/code/$f"
	awk -v keep=1 -f "$tmp/strip.awk" "$f" >"$tmp/fmt/$f"
done

n=0
# result NAME MATCHES - one TAP line, the first matches as diagnostics.
result() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		printf 'ok %d - %s\n' "$n" "$1"
	else
		printf 'not ok %d - %s\n' "$n" "$1"
		printf '%s\n' "$2" | head -n 20 | sed 's/^/#   /'
	fi
}

# grep_tree TREE ERE [FILE...] - "path:line: text" for the lines whose
# blanked copy in TREE matches ERE and, when set, also $also.
also=
grep_tree() {
	local tree=$1 re=$2 f ln text
	shift 2

	for f in "$@"; do
		grep -nE -- "$re" "$tmp/$tree/$f" 2>/dev/null |
		    while IFS=: read -r ln text; do
			if [ -z "$also" ] || [[ $text =~ $also ]]; then
				printf '%s:%s: %s\n' "$f" "$ln" \
				    "$(sed -n "${ln}{p;q;}" "$f")"
			fi
		    done
	done
}

what="core/ probes/ reports/ tests/unit/"
echo "1..$((${#banned[@]} + 2))"
for name in "${banned[@]}"; do
	result "no $name() in $what" \
	    "$(grep_tree code "(^|[^A-Za-z0-9_])${name}[[:space:]]*\\(" \
		"${files[@]}")"
done

# %s or %[ with no width (%5s, %ms and %*s are fine); %% is a literal.
scanf_re='(^|[^A-Za-z0-9_])v?[fs]?scanf[[:space:]]*\('
unbounded_re='(^|[^%])(%%)*%(hh|h|ll|l|j|z|t|L)?(s|\[)'
also=$unbounded_re
result "no unbounded scanf() in $what" \
    "$(grep_tree fmt "$scanf_re" "${files[@]}")"
also=

others=()
for f in "${files[@]}"; do
	[ "$f" = core/main.c ] || others+=("$f")
done
result "no exit() outside core/main.c" \
    "$(grep_tree code '(^|[^A-Za-z0-9_])exit[[:space:]]*\(' "${others[@]}")"
