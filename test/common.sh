# Shared by the test and demo scripts.  Sourced, not run.

PG_BINDIR=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BINDIR/pg_config
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
	if [ "$(id -u)" = 0 ]; then
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
