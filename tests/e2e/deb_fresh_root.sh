#!/usr/bin/env bash
# deb_fresh_root.sh BUILD_DIR SOURCE_DIR
#
# The .deb on a brand-new Debian 12: 'cpack -G DEB' of the build tree, then, in a
# chroot unpacked from a fresh bookworm root (the tarball ../shared/tools/fresh-debian
# makes and caches, /tmp/fresh-debian/bookworm.tar: mmdebstrap --variant=apt, apt and
# git and nothing else; made here with mmdebstrap when absent), 'apt-get install
# ./retrylens_*.deb' must pull the libraries it needs from Debian's archive, and then:
#   - retrylens --version names retrylens and the four libraries;
#   - analyze of fixtures/quickstart/access.log (copied in) counts its 34 attempts, and
#     ingest + report of it the same (SQLite writes a database there);
#   - the package's files are where dpkg -L says (the man page a valid gzip, the bash
#     completion registers), without man-db (the root has none);
#   - apt-get remove takes it all away again.
# Everything is undone at the end: the chroot's mounts are unmounted (the root is
# deleted only once none is left) and the root removed.
#
# Not part of the default run: it needs root, mmdebstrap (or the cached tarball) and
# the network, and takes ~20 s with the tarball cached, ~70 s when mmdebstrap makes it
# first (here, on 2 cores; more on a slow mirror); CI runs the whole suite three times (plain, ASan, valgrind), and a test that
# depends on Debian's mirrors would make each of those runs slower and flakier for
# something that changes only with cmake/package.cmake. So tests/CMakeLists.txt
# registers it (label deb) only in the plain build (an ASan or valgrind build's .deb is
# not a package anyone installs), and it runs only when asked:
#   RETRYLENS_DEB_TEST=1 ctest --test-dir build -L deb --output-on-failure
# Otherwise, and when root, mmdebstrap or the network is missing, it says why and exits
# 77 (skipped).
set -u
build=$1 src=$2
skip() {
	echo "skip: $1"
	exit 77
}
[ "${RETRYLENS_DEB_TEST:-}" = 1 ] || skip "the fresh-root .deb test runs only with RETRYLENS_DEB_TEST=1 (root, network, 20-70 s)"
[ "$(id -u)" = 0 ] || skip "needs root (chroot, mount)"
for t in cpack dpkg-deb chroot mount umount; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed"
done
cache=/tmp/fresh-debian
tarball=$cache/bookworm.tar
if [ ! -f "$tarball" ]; then
	command -v mmdebstrap >/dev/null 2>&1 || skip "no $tarball and no mmdebstrap to make it (apt-get install mmdebstrap)"
fi

fail=0
ok() { echo "ok: $1"; }
bad() {
	echo "FAIL: $1"
	fail=1
}
tmp=$(mktemp -d)
root=$tmp/root
mounts='proc sys dev/pts dev'
part=''
cleanup() {
	[ -n "$part" ] && rm -f "$part" # a tarball mmdebstrap did not finish
	for m in $mounts; do
		mountpoint -q "$root/$m" 2>/dev/null && umount "$root/$m"
	done
	# a root that still has a mount is left alone: deleting through a bind mount of /dev
	# would delete the host's
	if grep -qF " $root/" /proc/mounts; then
		echo "FAIL: mounts left under $root: not deleted"
		exit 1
	fi
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t0=$(date +%s)

# --- the tarball (the same one fresh-debian makes) -------------------------------------
if [ ! -f "$tarball" ]; then
	mkdir -p "$cache"
	echo "making $tarball with mmdebstrap (once; cached for later runs)"
	# made aside and renamed, so a run that stops midway leaves no half tarball (the
	# name ends in .tar: mmdebstrap chooses the output's format by it)
	part=$cache/bookworm.part$$.tar
	if ! mmdebstrap --variant=apt --include=git,ca-certificates bookworm "$part" \
		/etc/apt/sources.list.d/debian.sources >"$tmp/mmdebstrap.log" 2>&1; then
		rm -f "$part"
		grep -qiE 'could not resolve|failed to fetch|temporary failure|unable to connect|network' "$tmp/mmdebstrap.log" &&
			skip "mmdebstrap cannot reach Debian's archive: $(grep -iE 'resolve|fetch|connect' "$tmp/mmdebstrap.log" | head -n 1)"
		bad "mmdebstrap failed: $(tail -n 3 "$tmp/mmdebstrap.log")"
		exit 1
	fi
	mv "$part" "$tarball"
fi
t1=$(date +%s)

# --- the .deb --------------------------------------------------------------------------
[ -f "$build/CPackConfig.cmake" ] || {
	bad "$build/CPackConfig.cmake is missing"
	exit 1
}
if ! (cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") >"$tmp/cpack.out" 2>&1; then
	bad "cpack -G DEB failed: $(grep -i error "$tmp/cpack.out" | head -n 3)"
	exit 1
fi
set -- "$tmp"/pkg/retrylens_*.deb
[ $# = 1 ] && [ -f "$1" ] || {
	bad "cpack made no single retrylens_*.deb"
	exit 1
}
deb=$1
ok "cpack -G DEB: $(basename "$deb"); Depends: $(dpkg-deb -f "$deb" Depends)"
version=$(dpkg-deb -f "$deb" Version)
version=${version%-*}

# --- a fresh root ----------------------------------------------------------------------
mkdir "$root"
tar -xf "$tarball" -C "$root" || {
	bad "cannot unpack $tarball"
	exit 1
}
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
mount -t proc proc "$root/proc" && mount --bind /sys "$root/sys" && mount --bind /dev "$root/dev" &&
	mount --bind /dev/pts "$root/dev/pts" || {
	bad "cannot mount /proc, /sys, /dev into the root"
	exit 1
}
cp "$deb" "$root/tmp/" && chmod 644 "$root/tmp/$(basename "$deb")"
cp "$src/fixtures/quickstart/access.log" "$root/tmp/access.log"
# in_root CMD: runs CMD with bash in the root, in a clean environment
in_root() {
	chroot "$root" env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive bash -c "$1"
}
in_root 'command -v retrylens' >/dev/null && bad "the fresh root already has a retrylens"
before=$(in_root "dpkg-query -W -f '\${Package}\n'" | sort)
t2=$(date +%s)
if ! in_root 'apt-get update -qq' >"$tmp/update.out" 2>&1; then
	skip "apt-get update in the root cannot reach Debian's archive: $(grep -E '^(E|W):' "$tmp/update.out" | head -n 1)"
fi
if in_root "apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" >"$tmp/apt.out" 2>&1; then
	pulled=$(comm -13 <(echo "$before") <(in_root "dpkg-query -W -f '\${Package}\n'" | sort) | grep -vx retrylens | tr '\n' ' ')
	ok "apt-get install ./$(basename "$deb") in a fresh bookworm root (it pulled: ${pulled:-nothing})"
else
	bad "apt-get install ./$(basename "$deb"): $(grep -E '^(E|W):|unmet|Depends' "$tmp/apt.out" | head -n 4)"
	exit 1
fi
t3=$(date +%s)

# --- it runs ---------------------------------------------------------------------------
in_root 'retrylens --version' >"$tmp/version" 2>&1
if head -n 1 "$tmp/version" | grep -qx "retrylens $version"; then
	ok "retrylens --version: $(tr -s ' \n' ' ' <"$tmp/version")"
else
	bad "retrylens --version: $(head -n 3 "$tmp/version")"
fi
for lib in PCRE2 SQLite jansson zlib; do
	grep -qE "^  $lib +[0-9]" "$tmp/version" || bad "--version in the root does not name $lib's version"
done
attempts() { sed -n 's/^    "attempts": \([0-9]*\),$/\1/p' | head -n 1; }
n=$(in_root 'cd /tmp && retrylens analyze --quiet --output json access.log' | attempts)
[ "$n" = 34 ] && ok "analyze of the quickstart log in the root: 34 attempts" || bad "analyze in the root: '$n' attempts (want 34)"
n=$(in_root 'cd /tmp && retrylens ingest --quiet --db q.db access.log && retrylens report --db q.db --output json' | attempts)
[ "$n" = 34 ] && ok "ingest + report in the root: 34 attempts" || bad "ingest + report in the root: '$n' attempts (want 34)"

# --- its files, without man-db ---------------------------------------------------------
files=$(in_root 'dpkg -L retrylens' | while read -r f; do [ -d "$root$f" ] || echo "$f"; done | sort | tr '\n' ' ')
want='/usr/bin/retrylens /usr/share/bash-completion/completions/retrylens /usr/share/man/man1/retrylens.1.gz /usr/share/zsh/vendor-completions/_retrylens '
[ "$files" = "$want" ] && ok "dpkg -L retrylens: $files" || bad "dpkg -L retrylens: $files (want $want)"
in_root 'gzip -t /usr/share/man/man1/retrylens.1.gz && zcat /usr/share/man/man1/retrylens.1.gz | grep -q "^\.SH EXIT STATUS"' &&
	ok "the man page is a gzip of the page (no man-db in the root to render it)" || bad "the installed man page is not a gzip of the page"
spec=$(in_root '. /usr/share/bash-completion/completions/retrylens && complete -p retrylens' 2>&1)
case $spec in *"-F _retrylens"*) ok "bash completion in the root: $spec" ;; *) bad "bash completion in the root: $spec" ;; esac
in_root "dpkg -s retrylens | grep -qx 'Status: install ok installed'" || bad "dpkg -s: retrylens is not 'install ok installed'"

# --- and goes ---------------------------------------------------------------------------
if in_root 'apt-get remove -y -qq retrylens' >"$tmp/remove.out" 2>&1 && ! in_root 'test -e /usr/bin/retrylens'; then
	ok "apt-get remove retrylens: /usr/bin/retrylens gone"
else
	bad "apt-get remove retrylens: $(tail -n 2 "$tmp/remove.out")"
fi
t4=$(date +%s)
echo "times: tarball $((t1 - t0)) s, cpack + unpack $((t2 - t1)) s, apt-get update + install $((t3 - t2)) s, checks $((t4 - t3)) s, total $((t4 - t0)) s"
exit $fail
