#!/usr/bin/env bash
# make asan: the regression suite against a PostgreSQL 15 built from
# Debian's source package with assertions, AddressSanitizer and
# UndefinedBehaviorSanitizer.  Slow (the first run builds the server):
# not part of make test.  Run as root on a Debian 12 machine; it
#
#   1. adds a deb-src entry for the Debian archive the machine already
#      uses (a file of its own under /etc/apt/sources.list.d/), if there
#      is none, and installs the build tools from the archive;
#   2. fetches the source with `apt-get source postgresql-15` (the same
#      version as the binary packages, Debian's patches applied);
#   3. configures it with --enable-cassert --enable-debug and
#      -fsanitize=address,undefined into a private prefix and installs it
#      there (nothing outside $SIDDHI_ASAN_DIR is touched);
#   4. builds the extension from a copy of this tree against that server
#      (PGXS takes the sanitizer flags from its pg_config) and runs the
#      pg_regress schedule with ASAN_OPTIONS / UBSAN_OPTIONS that write
#      every report to a file;
#   5. counts the reports; any report, or a failed regress run, fails.
#
# PostgreSQL under ASan needs detect_leaks=0 (backends exit without
# freeing their memory contexts, by design) and
# detect_stack_use_after_return=0 (check_stack_depth compares addresses
# of locals, which fake stacks break).  palloc'd chunks live inside
# malloc'd blocks, so ASan sees overruns of whole blocks, not of single
# chunks: an overrun into the next chunk of the same context is not
# reported (valgrind, test/valgrind.sh, covers those).
#
# Settings (environment):
#   SIDDHI_ASAN_DIR       where the source, server and logs go
#                         (default /var/tmp/siddhi-asan)
#   SIDDHI_ASAN_JOBS      make -j for the server build (default 2)
#   SIDDHI_ASAN_SCHEDULE  the pg_regress schedule (default test/schedule)
#   SIDDHI_TEST_PORT      port of the temporary instance
set -euo pipefail
# Run from make asan, the server's make would think it is a sub-make
# (MAKELEVEL 1) and skip generating its headers.
unset MAKELEVEL MAKEFLAGS MFLAGS
cd "$(dirname "$0")/.."
TREE=$(pwd)
ASAN_DIR=${SIDDHI_ASAN_DIR:-/var/tmp/siddhi-asan}
JOBS=${SIDDHI_ASAN_JOBS:-2}
SANITIZE="-fsanitize=address,undefined -fno-sanitize=alignment"
CFLAGS_ASAN="-O1 -g -fno-omit-frame-pointer $SANITIZE"
PREFIX=$ASAN_DIR/pg
LOGS=$ASAN_DIR/logs
started=$(date +%s)

say() { echo "asan: $*"; }

# Every program of that build is instrumented, pg_config included: leak
# reports at exit (LeakSanitizer) would also lose their buffered output.
# PostgreSQL frees memory contexts wholesale, so leaks are not checked.
export ASAN_OPTIONS="detect_leaks=0"

if [ "$(id -u)" != 0 ]; then
	echo "asan: run as root (it installs build tools and runs the server as postgres)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# 1. deb-src for the Debian archive already configured.
if ! grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
	/etc/apt/sources.list /etc/apt/sources.list.d/; then
	say "adding /etc/apt/sources.list.d/siddhi-deb-src.{sources,list}"
	tmp=$(mktemp)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# every enabled deb822 stanza for a Debian archive, as deb-src
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[^\n]*deb/ && /(^|\n)URIs:[^\n]*debian/ &&
			!/(^|\n)Enabled:[[:space:]]*no/ {
				sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
	done >"$tmp"
	[ -s "$tmp" ] && install -m 644 "$tmp" /etc/apt/sources.list.d/siddhi-deb-src.sources
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^[[:space:]]*deb[[:space:]]\(.*debian.*\)$/deb-src \1/p' \
			/etc/apt/sources.list >"$tmp"
		[ -s "$tmp" ] && install -m 644 "$tmp" /etc/apt/sources.list.d/siddhi-deb-src.list
	fi
	rm -f "$tmp"
	apt-get update -q
fi

# Build tools, from the archive.
missing=""
# (liblz4-dev: the extension's tables compress with lz4, which a server
# built without it refuses at CREATE EXTENSION)
# (libicu-dev: regress tests make ICU collations, as Debian's server can)
for p in build-essential bison flex dpkg-dev pkg-config perl liblz4-dev libicu-dev; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing:$missing"
	apt-get install -y -q --no-install-recommends $missing
fi

# 2. The source package.
mkdir -p "$ASAN_DIR/src" "$LOGS"
srcdir=$(find "$ASAN_DIR/src" -maxdepth 1 -type d -name 'postgresql-15-*' | sort | tail -n 1)
if [ -z "$srcdir" ]; then
	# The newest version first; a mirror may lack the newest source (the
	# security archive's pool, say), so older versions follow.
	for v in "" $(apt-cache showsrc postgresql-15 2>/dev/null |
		sed -n 's/^Version: //p' | sort -rV); do
		say "apt-get source postgresql-15${v:+=$v}"
		(cd "$ASAN_DIR/src" && apt-get source -q "postgresql-15${v:+=$v}") && break
	done
	srcdir=$(find "$ASAN_DIR/src" -maxdepth 1 -type d -name 'postgresql-15-*' | sort | tail -n 1)
fi
if [ -z "$srcdir" ]; then
	echo "asan: apt-get source postgresql-15 failed: is a deb-src entry reachable?" >&2
	exit 1
fi
version=$(cd "$srcdir" && dpkg-parsechangelog -S Version 2>/dev/null || basename "$srcdir")
say "source: $srcdir ($version)"

# 3. The server, once per source and flags: only what pg_regress, PGXS
# and the suite need (the backend and its loadable parts, initdb, pg_ctl,
# psql, libpq, plpgsql, pg_regress, pg_config, headers), not ecpg,
# pg_dump and the other client programs.
PARTS="src/port src/common src/fe_utils src/timezone src/backend
	src/backend/utils/mb/conversion_procs src/backend/snowball
	src/include src/interfaces/libpq src/bin/initdb src/bin/pg_ctl
	src/bin/psql src/bin/pg_config src/pl/plpgsql src/test/regress
	src/makefiles"
# Debian's 50-per-version-dirs patch puts the modules in
# /usr/lib/postgresql/15/lib unless libdir names postgres: name it, or
# make install would write into the system's PostgreSQL.
LIBDIR=$PREFIX/lib/postgresql
stamp="$version $CFLAGS_ASAN libdir=$LIBDIR lz4 icu"
if [ ! -x "$PREFIX/bin/postgres" ] || [ "$(cat "$PREFIX/.siddhi-asan" 2>/dev/null)" != "$stamp" ]; then
	say "building PostgreSQL (log in $ASAN_DIR/build.log)"
	rm -rf "$PREFIX"
	(
		# in the source tree: a VPATH build misses the generated headers
		# that the release tarball ships in it
		cd "$srcdir"
		if [ "$(cat .siddhi-asan 2>/dev/null)" != "$stamp" ]; then
			[ ! -f GNUmakefile ] || make -s distclean
			./configure --prefix="$PREFIX" --libdir="$LIBDIR" \
				--enable-cassert --enable-debug --with-lz4 \
				--with-icu --without-readline --without-zlib --without-llvm \
				CFLAGS="$CFLAGS_ASAN" LDFLAGS="$SANITIZE"
			echo "$stamp" >.siddhi-asan
		fi
		case "$(printf 'top_builddir = .\ninclude src/Makefile.global\np:\n\t@echo $(pkglibdir)\n' |
			make -s -f - p)" in
		"$PREFIX"/*) ;;
		*)
			echo "asan: the modules would not go under $PREFIX" >&2
			exit 1
			;;
		esac
		nice make -s -j"$JOBS" -C src/backend generated-headers
		for d in $PARTS; do
			nice make -s -j"$JOBS" -C "$d"
		done
		make -s -C src install-local
		for d in $PARTS; do
			make -s -C "$d" install
		done
	) >"$ASAN_DIR/build.log" 2>&1 || {
		tail -n 40 "$ASAN_DIR/build.log"
		exit 1
	}
	echo "$stamp" >"$PREFIX/.siddhi-asan"
	say "server built in $(($(date +%s) - started)) s"
fi
chmod -R a+rX "$ASAN_DIR"

# 4. The extension, built from a copy so this tree's objects stay as
# they are, then the regress schedule.
rm -rf "$ASAN_DIR/ext"
mkdir -p "$ASAN_DIR/ext"
tar -C "$TREE" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . |
	tar -C "$ASAN_DIR/ext" -xf -
export PG_CONFIG=$PREFIX/bin/pg_config
case "$($PG_CONFIG --pkglibdir)" in
"$PREFIX"/*) ;;
*)
	echo "asan: $PG_CONFIG installs outside $PREFIX; not building" >&2
	exit 1
	;;
esac
(cd "$ASAN_DIR/ext" && nice make -s -j"$JOBS" PG_CONFIG="$PG_CONFIG" && make -s install PG_CONFIG="$PG_CONFIG")

rm -rf "$LOGS"
mkdir -p "$LOGS"
chmod 777 "$LOGS"
export ASAN_OPTIONS="detect_leaks=0:detect_stack_use_after_return=0:abort_on_error=1:disable_coredump=1:print_stacktrace=1:log_path=$LOGS/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$LOGS/ubsan:log_exe_name=1"
regress_status=0
(
	cd "$ASAN_DIR/ext"
	unset SIDDHI_PREFIX
	# ASan's frames are larger: the stack a parse of hostile_parse's
	# deepest statements takes in a plain build is about three times that
	export SIDDHI_EXTRA_CONF="max_stack_depth = 6MB"
	SIDDHI_SCHEDULE=${SIDDHI_ASAN_SCHEDULE:-test/schedule} bash test/regress.sh
) >"$ASAN_DIR/regress.out" 2>&1 || regress_status=$?
grep -E '\.\.\. |tests|results kept' "$ASAN_DIR/regress.out" || true

# 5. The reports.
asan=$(cat "$LOGS"/asan.* 2>/dev/null | grep -c 'ERROR: AddressSanitizer' || true)
ubsan=$(cat "$LOGS"/ubsan.* "$LOGS"/asan.* 2>/dev/null | grep -c ': runtime error: ' || true)
work=$(sed -n 's/^results kept in //p' "$ASAN_DIR/regress.out" | tail -n 1)
crashes=0
if [ -n "$work" ] && [ -f "$work/log/postmaster.log" ]; then
	crashes=$(grep -c 'terminated by signal' "$work/log/postmaster.log" || true)
	cp "$work/log/postmaster.log" "$LOGS/"
fi
if [ "$asan" != 0 ] || [ "$ubsan" != 0 ]; then
	# what and where: the first frames of each report
	grep -h -A6 -E 'ERROR: AddressSanitizer|: runtime error: ' "$LOGS"/asan.* "$LOGS"/ubsan.* 2>/dev/null |
		head -n 80 || true
	in_siddhi=$(grep -l 'siddhi' "$LOGS"/asan.* "$LOGS"/ubsan.* 2>/dev/null | wc -l)
	say "$in_siddhi report files have siddhi code on the stack"
fi
say "PostgreSQL $version, $CFLAGS_ASAN, --enable-cassert"
say "regress exit status $regress_status (output in $ASAN_DIR/regress.out)"
say "$asan AddressSanitizer reports, $ubsan UndefinedBehaviorSanitizer reports, $crashes processes killed by a signal (logs in $LOGS)"
say "took $(($(date +%s) - started)) s"
[ "$asan" = 0 ] && [ "$ubsan" = 0 ] && [ "$crashes" = 0 ] && [ "$regress_status" = 0 ]
