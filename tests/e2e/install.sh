#!/usr/bin/env bash
# install.sh BUILD_DIR SOURCE_DIR BIN
#
# Installed like a real tool (cmake/package.cmake):
#   - 'cmake --install BUILD --prefix TMP' installs exactly bin/retrylens, the man page
#     (share/man/man1/retrylens.1.gz) and the bash and zsh completions, nothing else;
#   - the installed binary runs: --version (its own and the four libraries' versions),
#     'version', and analyze on fixtures/quickstart/access.log (34 attempts);
#   - the man page: 'groff -man -ww -z' prints nothing, 'man -l' renders it, its .TH
#     names the version --version prints;
#   - bash sources the completion, 'complete -p retrylens' shows it, and its function,
#     called with COMP_WORDS/COMP_CWORD as readline sets them, completes 'an' to analyze,
#     the values of --output, --table, --by and --policy (the built-in policies are
#     those 'retrylens policies' lists);
#   - option coverage: every command of 'retrylens --help' and every option of each
#     'retrylens CMD --help' is in the bash completion of that command (asked of the
#     function), in that command's function of the zsh completion, and in that
#     command's section of the man page; with zsh installed, the file parses (zsh -n);
#   - 'cpack -G DEB' of the build tree (the package written to TMP, not the build dir)
#     makes one .deb: 'dpkg-deb -c' lists the same four files under /usr, 'dpkg-deb -I'
#     names the package, its section and Depends on the four libraries' packages, and the
#     binary unpacked from it runs.
# The checks use the build's own binary, installed: under RL_VALGRIND, BIN is a wrapper
# script that runs it in valgrind; only the --help texts are read through BIN. Without
# cmake: a message and exit 77 (skipped). Without cpack, dpkg-deb or groff: the other
# checks run, the missing one says so, and the test exits 77 unless something failed.
# (cpack builds the 'preinstall' target first, which is up to date once the tree is built.)
set -u
build=$1 src=$2 bin=$3
. "$(dirname "$0")/lib.sh"
skipped=''
skip() {
	echo "skip: $1"
	skipped="$skipped; $1"
}

command -v cmake >/dev/null 2>&1 || {
	echo "skip: cmake is not installed (apt-get install cmake)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inst=$tmp/inst
mkdir "$tmp/cwd" # completions run here: no files to offer but those a check puts there
log=$src/fixtures/quickstart/access.log

# --- cmake --install installs exactly the four files -----------------------------------
if ! cmake --install "$build" --prefix "$inst" >"$tmp/install.out" 2>&1; then
	bad "cmake --install $build failed: $(tail -n 3 "$tmp/install.out")"
	exit 1
fi
want='bin/retrylens
share/bash-completion/completions/retrylens
share/man/man1/retrylens.1.gz
share/zsh/vendor-completions/_retrylens'
got=$(cd "$inst" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "cmake --install: exactly $(echo "$want" | tr '\n' ' ')"
else
	bad "cmake --install installed: $(echo "$got" | tr '\n' ' ') (want: $(echo "$want" | tr '\n' ' '))"
fi
rl=$inst/bin/retrylens
[ -x "$rl" ] || {
	bad "$rl is not executable"
	exit 1
}

# --- the installed binary runs ---------------------------------------------------------
"$rl" --version >"$tmp/version" 2>&1 || bad "retrylens --version exits $?"
version=$(sed -n '1s/^retrylens \([0-9][0-9.]*\)$/\1/p' "$tmp/version")
[ -n "$version" ] && ok "--version: retrylens $version" || bad "--version's first line: $(head -n 1 "$tmp/version")"
for lib in PCRE2 SQLite jansson zlib; do
	line=$(grep -E "^  $lib +[0-9]+\.[0-9]+" "$tmp/version")
	[ -n "$line" ] && ok "--version: $(echo "$line" | tr -s ' ')" || bad "--version does not give $lib's version"
done
"$rl" version >"$tmp/version2" 2>&1 && cmp -s "$tmp/version" "$tmp/version2" && ok "'retrylens version' prints the same" ||
	bad "'retrylens version' differs from --version"
n=$("$rl" analyze --quiet --output json "$log" | json_attempts)
[ "$n" = 34 ] && ok "installed analyze of the quickstart log: 34 attempts" || bad "installed analyze: '$n' attempts (want 34)"

# --- the man page ----------------------------------------------------------------------
man_gz=$inst/share/man/man1/retrylens.1.gz
man_src=$src/cmd/doc/retrylens.1
gzip -dc "$man_gz" | cmp -s - "$man_src" && ok "the installed man page is cmd/doc/retrylens.1, gzipped" ||
	bad "the installed man page is not cmd/doc/retrylens.1"
th=$(sed -n 's/^\.TH RETRYLENS 1 [0-9-]* "retrylens \([0-9.]*\)".*/\1/p' "$man_src")
[ "$th" = "$version" ] && ok "the man page's .TH names version $th" || bad "the man page's .TH names '$th', --version $version"
if command -v groff >/dev/null 2>&1; then
	gzip -dc "$man_gz" | groff -man -ww -z >"$tmp/groff.out" 2>&1
	[ ! -s "$tmp/groff.out" ] && ok "groff -man -ww -z: no warnings" || bad "groff -man -ww -z: $(head -n 5 "$tmp/groff.out")"
else
	skip "groff is not installed (apt-get install groff-base): the man page is not checked by groff"
fi
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$man_gz" >"$tmp/man.txt" 2>"$tmp/man.err"
	if grep -q '^EXIT STATUS' "$tmp/man.txt" && grep -q '^SYNOPSIS' "$tmp/man.txt" && [ ! -s "$tmp/man.err" ]; then
		ok "man -l renders it ($(wc -l <"$tmp/man.txt") lines)"
	else
		bad "man -l: $(head -n 3 "$tmp/man.err")"
	fi
fi

# --- bash completion -------------------------------------------------------------------
comp=$inst/share/bash-completion/completions/retrylens
spec=$(bash --norc --noprofile -c '. "$1" && complete -p retrylens' _ "$comp" 2>&1)
fn=$(echo "$spec" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] && ok "bash: complete -p retrylens: $spec" || bad "bash: complete -p retrylens: $spec"
# completions LINE: what the completion function offers for the last word of LINE (the
# cursor at its end), one a line; LINE splits at blanks, as readline splits it
completions() {
	(cd "${cwd:-$tmp/cwd}" && bash --norc --noprofile -c '
		. "$1"
		COMP_LINE=$3 COMP_POINT=${#3}
		read -ra COMP_WORDS <<<"$3"
		[[ $3 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		"$2" retrylens "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$fn" "$1") 2>&1 | LC_ALL=C sort
}
# expect_completions LINE WANT...: offers exactly WANT
expect_completions() {
	local line=$1 got expected
	shift
	got=$(completions "$line" | tr '\n' ' ')
	expected=$(printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' ')
	[ "$got" = "$expected" ] && ok "bash: '$line<TAB>' → $got" || bad "bash: '$line<TAB>' → '$got' (want '$expected')"
}
expect_completions 'retrylens an' analyze
expect_completions 'retrylens --ver' --version
expect_completions 'retrylens analyze --output ' text json csv markdown html prometheus
expect_completions 'retrylens report --table ' status endpoints clients sdks errors timeline storms
expect_completions 'retrylens report --by ' minute hour day
expect_completions 'retrylens analyze --format json:' json:nginx json:caddy json:envoy json:traefik json:cloudflare
# shellcheck disable=SC2046
expect_completions 'retrylens policies ' $("$rl" policies | awk '{print $1}')
cwd=$src/fixtures/quickstart completions 'retrylens analyze acc' | grep -qx access.log &&
	ok "bash: 'retrylens analyze acc<TAB>' → access.log (files)" || bad "bash: no file completion for analyze"

# --- every option of every --help: in both completions and in the man page -------------
zsh_file=$inst/share/zsh/vendor-completions/_retrylens
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$zsh_file" 2>"$tmp/zsh.err" && ok "zsh -n _retrylens" || bad "zsh -n _retrylens: $(head -n 3 "$tmp/zsh.err")"
else
	echo "note: zsh is not installed: its completion is checked as text only"
fi
"$bin" --help >"$tmp/help" 2>&1 || bad "retrylens --help exits $?"
cmds=$(sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp/help")
[ -n "$cmds" ] || bad "no commands in retrylens --help"
grep -q -- "'(- :)--version\[" "$zsh_file" && grep -q -- "'(- :)--help\[" "$zsh_file" &&
	ok "zsh: --version and --help" || bad "zsh: no --version or --help"
checked=0
for cmd in $cmds; do
	"$bin" "$cmd" --help >"$tmp/help.$cmd" 2>&1 || bad "retrylens $cmd --help exits $?"
	opts=$(sed -n '/^options:$/,/^$/s/^  \(-[-a-zA-Z0-9]*\).*/\1/p' "$tmp/help.$cmd")
	grep -q '^options:$' "$tmp/help.$cmd" || opts='--help' # a command without options still takes --help
	bash_opts=" $(completions "retrylens $cmd -" | tr '\n' ' ') "
	# the command's function in the zsh file, and its section in the man page (\- as -)
	zsh_fn=$(sed -n "/^_retrylens_cmd_$cmd()\$/,/^}\$/p" "$zsh_file")
	man_ss=$(sed -e 's/\\-/-/g' "$man_src" | awk -v c="$cmd" '/^\.S[HS]/ { on = ($0 == ".SS " c) } on')
	[ -n "$zsh_fn" ] || bad "zsh: no function _retrylens_cmd_$cmd"
	[ -n "$man_ss" ] || bad "man page: no section .SS $cmd"
	completions "retrylens ${cmd:0:3}" | grep -qx -- "$cmd" || bad "bash: 'retrylens ${cmd:0:3}<TAB>' does not give $cmd"
	missing=''
	for o in $opts; do
		checked=$((checked + 1))
		case $bash_opts in *" $o "*) ;; *) missing="$missing bash:$o" ;; esac
		echo "$zsh_fn" | grep -q -- "['*)]$o[=[]" || missing="$missing zsh:$o"
		[ "$o" = --help ] && continue # the man page says once that every command takes --help
		echo "$man_ss" | grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|\$)" || missing="$missing man:$o"
	done
	[ -z "$missing" ] && ok "$cmd: its $(echo $opts | wc -w) options are in both completions and the man page" ||
		bad "$cmd: missing from the completions or the man page:$missing"
done
[ "$checked" -ge 40 ] && ok "$checked options checked over $(echo $cmds | wc -w) commands" || bad "only $checked options found in the --help texts"

# --- cpack -G DEB ----------------------------------------------------------------------
if ! command -v cpack >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
	skip "cpack or dpkg-deb is not installed (apt-get install cmake dpkg): no .deb made"
elif [ ! -f "$build/CPackConfig.cmake" ]; then
	bad "$build/CPackConfig.cmake is missing (cmake/package.cmake includes CPack)"
elif ! (cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") >"$tmp/cpack.out" 2>&1; then
	bad "cpack -G DEB failed: $(grep -i error "$tmp/cpack.out" | head -n 3)"
else
	set -- "$tmp"/pkg/retrylens_*.deb
	if [ $# != 1 ] || [ ! -f "$1" ]; then
		bad "cpack -G DEB: no retrylens_*.deb in $(ls "$tmp/pkg" | tr '\n' ' ')"
	else
		deb=$1
		ok "cpack -G DEB: $(basename "$deb") ($(wc -c <"$deb") bytes)"
		files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./usr/||' | LC_ALL=C sort)
		[ "$files" = "$want" ] && ok "dpkg-deb -c: the same four files under /usr" ||
			bad "dpkg-deb -c lists: $(echo "$files" | tr '\n' ' ')"
		dpkg-deb -I "$deb" >"$tmp/info"
		for field in 'Package: retrylens' 'Section: utils' "Version: $version-"; do
			grep -q "^ $field" "$tmp/info" && ok "dpkg-deb -I: $field" || bad "dpkg-deb -I has no '$field'"
		done
		depends=$(sed -n 's/^ Depends: //p' "$tmp/info")
		for p in libpcre2-8-0 libsqlite3-0 libjansson4 zlib1g; do
			case ", $depends," in *", $p "* | *", $p,"*) ;; *) bad "Depends: $depends: no $p" ;; esac
		done
		ok "dpkg-deb -I: Depends: $depends"
		dpkg-deb -x "$deb" "$tmp/x"
		"$tmp/x/usr/bin/retrylens" --version | head -n 1 | grep -qx "retrylens $version" &&
			ok "the .deb's retrylens (stripped) runs: retrylens $version" || bad "the .deb's retrylens does not run"
	fi
fi

[ "$fail" = 0 ] && [ -n "$skipped" ] && {
	echo "skipped in part${skipped}"
	exit 77
}
exit $fail
