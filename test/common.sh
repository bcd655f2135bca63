# Shared by the test and demo scripts.  Sourced, not run.

# PG_CONFIG may name another PostgreSQL 15 build (test/asan.sh does).
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PG_BINDIR=$($PG_CONFIG --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)

# SIDDHI_PREFIX=/some/dir installs the extension, and a copy of the server,
# under that directory instead of the system (PostgreSQL finds its share
# and lib directories relative to its binaries).  Lets several work trees
# test different builds on one machine at once.
if [ -n "${SIDDHI_PREFIX:-}" ]; then
	PG_BINDIR=$SIDDHI_PREFIX/usr/lib/postgresql/15/bin
fi
PGXS_DIR=$($PG_CONFIG --pgxs | xargs dirname | xargs dirname)
PG_REGRESS=$PGXS_DIR/test/regress/pg_regress

# initdb and postgres refuse root: clusters run as this user.
if [ "$(id -u)" = 0 ]; then
	RUN_AS="runuser -u postgres --"
	TEST_USER=postgres
else
	RUN_AS=""
	TEST_USER=$(id -un)
fi

# Build and install the extension.
build_and_install() {
	make -s -j2 PG_CONFIG=$PG_CONFIG
	if [ -n "${SIDDHI_PREFIX:-}" ]; then
		if [ ! -x "$PG_BINDIR/postgres" ]; then
			mkdir -p "$SIDDHI_PREFIX/usr/lib/postgresql" "$SIDDHI_PREFIX/usr/share/postgresql"
			cp -a /usr/lib/postgresql/15 "$SIDDHI_PREFIX/usr/lib/postgresql/"
			cp -a /usr/share/postgresql/15 "$SIDDHI_PREFIX/usr/share/postgresql/"
		fi
		make -s install PG_CONFIG=$PG_CONFIG DESTDIR="$SIDDHI_PREFIX"
		chmod -R a+rX "$SIDDHI_PREFIX"
	elif [ "$(id -u)" = 0 ]; then
		make -s install PG_CONFIG=$PG_CONFIG
	else
		sudo make -s install PG_CONFIG=$PG_CONFIG
	fi
}

# A scratch directory the cluster user can write.
make_workdir() {
	local d
	d=$(mktemp -d "/tmp/siddhi-$1.XXXXXX")
	chmod 755 "$d"
	[ "$(id -u)" = 0 ] && chown "$TEST_USER" "$d"
	echo "$d"
}

# Create a cluster owned by the cluster user in $1/data, listening only on
# a Unix socket in $1, port $2, with siddhi preloaded; further
# postgresql.conf lines may follow on stdin.  An old cluster there is
# stopped and removed first.
init_cluster() {
	local dir=$1 port=$2
	if [ -f "$dir/data/postmaster.pid" ]; then
		$RUN_AS "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate stop || true
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown "$TEST_USER" "$dir"
	$RUN_AS "$PG_BINDIR/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "shared_preload_libraries = 'siddhi'"
		[ -t 0 ] || cat
	} >>"$dir/data/postgresql.conf"
}
