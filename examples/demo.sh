#!/usr/bin/env bash
# make demo: install everything, start a local PostgreSQL with siddhi
# preloaded, deploy an example app, feed it events and show the results.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/common.sh

DEMO_DIR=${SIDDHI_DEMO_DIR:-/tmp/siddhi-demo}
DEMO_PORT=${SIDDHI_DEMO_PORT:-5499}

bash test/install-deps.sh
build_and_install

init_cluster "$DEMO_DIR" "$DEMO_PORT" </dev/null
$RUN_AS "$PG_BINDIR/pg_ctl" -D "$DEMO_DIR/data" -l "$DEMO_DIR/server.log" -w start

PSQL="$PG_BINDIR/psql -h $DEMO_DIR -p $DEMO_PORT -U postgres -X"
$RUN_AS $PSQL -q -d postgres -c "CREATE DATABASE demo"
echo
echo "=== Deploying the trading app and feeding it events"
$RUN_AS $PSQL -d demo -e <<'SQL'
CREATE EXTENSION siddhi;
SELECT siddhi.deploy('trading', $$
  define stream StockStream (symbol string, price float, volume long);
  define table BigTrades (symbol string, price float, volume long);
  @info(name = 'big') from StockStream[volume > 1000 and price > 10.0]
  select symbol, price, volume insert into BigTrades;
$$);
INSERT INTO stockstream VALUES ('IBM', 75.5, 5000), ('WSO2', 5.0, 9000),
  ('ORCL', 32.25, 800), ('MSFT', 310.0, 1200);
SELECT siddhi.flush();
SELECT * FROM bigtrades ORDER BY symbol;
SELECT name, state FROM siddhi.apps;
SELECT app, query, events_in, events_out, errors FROM siddhi.queries;
SQL
echo
echo "The demo server is running.  Connect with:"
echo "  $PG_BINDIR/psql -h $DEMO_DIR -p $DEMO_PORT -U postgres demo"
echo "Stop it with:"
echo "  ${RUN_AS:+$RUN_AS }$PG_BINDIR/pg_ctl -D $DEMO_DIR/data stop"
