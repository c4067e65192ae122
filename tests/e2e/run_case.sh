#!/bin/sh
# run_case.sh BIN JSONSUB CASE_DIR
#
# Runs `retrylens analyze --output json ARGS` in a fixture folder and checks the report
# against the hand-counted expected.json (a subset match: see jsonsub.c). The folder
# holds:
#   args           the arguments after `analyze --output json` (shell words)
#   expected.json  the numbers the report must hold
#   generate.sh    optional: writes the inputs into the current directory (a temporary
#                  one), for inputs too big or too odd to store
#   exit           optional: the expected exit status (default 0)
#   stderr.grep    optional: fixed strings stderr must contain, one per line
# The same run with RETRYLENS_PREFETCH=0 (each input read and parsed inline, not ahead
# on a thread: lib/input/prefetch.h) must print the same report, byte for byte.
set -u
bin=$1 jsonsub=$2 dir=$(cd "$3" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 1
if [ -f generate.sh ]; then
	(cd "$tmp" && sh "$dir/generate.sh") || { echo "generate.sh failed"; exit 1; }
	cd "$tmp" || exit 1
fi
want_exit=0
[ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
eval "set -- $(cat "$dir/args")"
"$bin" analyze --output json "$@" >"$tmp/out.json" 2>"$tmp/err.txt"
rc=$?
if [ "$rc" != "$want_exit" ]; then
	echo "exit status $rc, want $want_exit; stderr:"
	cat "$tmp/err.txt"
	exit 1
fi
if [ -f "$dir/stderr.grep" ]; then
	while IFS= read -r pat; do
		[ -z "$pat" ] && continue
		grep -qF -- "$pat" "$tmp/err.txt" || { echo "stderr lacks \"$pat\":"; cat "$tmp/err.txt"; exit 1; }
	done <"$dir/stderr.grep"
fi
"$jsonsub" "$dir/expected.json" "$tmp/out.json" || { echo "report:"; head -c 4000 "$tmp/out.json"; exit 1; }
case $bin in
*valgrind*) ;; # every run is many times slower there; the plain and ASan builds compare
*)
	RETRYLENS_PREFETCH=0 "$bin" analyze --output json "$@" >"$tmp/inline.json" 2>/dev/null
	rc2=$?
	grep -v '"generated_at"' "$tmp/out.json" >"$tmp/a.json"
	grep -v '"generated_at"' "$tmp/inline.json" >"$tmp/b.json"
	if [ "$rc2" != "$rc" ] || ! cmp -s "$tmp/a.json" "$tmp/b.json"; then
		echo "read inline (RETRYLENS_PREFETCH=0): exit $rc2 (want $rc), a different report:"
		diff "$tmp/a.json" "$tmp/b.json" | head -20
		exit 1
	fi
	;;
esac
echo "ok: $(basename "$dir")"
