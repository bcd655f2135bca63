/*
 * latency: time from an INSERT's commit to the output event being
 * delivered by siddhi.poll() in another session, at a steady rate; and,
 * as the baseline in the same run, from a NOTIFY's commit to the
 * notification reaching a LISTENing session.
 *
 *   latency "connstr" rate_per_second seconds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/select.h>
#include <libpq-fe.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static PGconn *
connect_or_die(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "connect: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static void
exec_or_die(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *lat, int n)
{
	qsort(lat, n, sizeof(double), cmp);
	printf("%-34s n=%d  p50=%.0f us  p99=%.0f us  max=%.0f us\n", what, n,
		   lat[n / 2], lat[(int) (n * 0.99)], lat[n - 1]);
}

static void
pace(double start, int i, int rate)
{
	double due = start + i * 1e6 / rate;
	double t;

	while ((t = now_us()) < due)
	{
		struct timespec d = { 0, (long) ((due - t) * 1000) };

		nanosleep(&d, NULL);
	}
}

int
main(int argc, char **argv)
{
	const char *conninfo = argc > 1 ? argv[1] : "";
	int rate = argc > 2 ? atoi(argv[2]) : 1000;
	int seconds = argc > 3 ? atoi(argv[3]) : 10;
	int n = rate * seconds;
	PGconn *producer = connect_or_die(conninfo);
	PGconn *watcher = connect_or_die(conninfo);
	double *lat = malloc(sizeof(double) * n);
	double *base = malloc(sizeof(double) * n);
	double start;
	char sql[256];

	exec_or_die(producer,
				"SELECT siddhi.deploy('latency', $$"
				" define stream LatIn (id long, v double);"
				" from LatIn[v >= 0] select id, v insert into LatOut; $$,"
				" replace => true)");
	exec_or_die(producer, "SELECT siddhi.flush()");
	exec_or_die(watcher, "SELECT siddhi.subscribe('latout')");

	/* siddhi: INSERT commit -> siddhi.poll() returns the output event */
	start = now_us();
	for (int i = 0; i < n; i++)
	{
		double t0;
		PGresult *r;

		pace(start, i, rate);
		snprintf(sql, sizeof(sql), "INSERT INTO latin VALUES (%d, 1)", i);
		exec_or_die(producer, sql);
		t0 = now_us();
		r = PQexec(watcher, "SELECT seq FROM siddhi.poll('latout', 1, 5000)");
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		{
			fprintf(stderr, "event %d not delivered: %s", i,
					PQerrorMessage(watcher));
			exit(1);
		}
		lat[i] = now_us() - t0;
		PQclear(r);
	}

	/* baseline: NOTIFY commit -> notification received by a listener */
	exec_or_die(watcher, "LISTEN latency_baseline");
	start = now_us();
	for (int i = 0; i < n; i++)
	{
		double t0;
		PGnotify *note = NULL;

		pace(start, i, rate);
		exec_or_die(producer, "NOTIFY latency_baseline");
		t0 = now_us();
		while (note == NULL)
		{
			int sock = PQsocket(watcher);
			fd_set fds;

			FD_ZERO(&fds);
			FD_SET(sock, &fds);
			select(sock + 1, &fds, NULL, NULL, NULL);
			PQconsumeInput(watcher);
			note = PQnotifies(watcher);
		}
		base[i] = now_us() - t0;
		PQfreemem(note);
	}

	report("siddhi INSERT -> poll", lat, n);
	report("baseline NOTIFY -> LISTEN", base, n);
	printf("ratio p99 siddhi/NOTIFY: %.2f\n",
		   lat[(int) (n * 0.99)] / base[(int) (n * 0.99)]);

	/*
	 * Read-your-writes (issue 15): the time until an INSERT's result is in
	 * the output table for the inserting session.  Three ways, same rate:
	 * a plain autocommit INSERT (returns before the engine ran: the
	 * result is not there yet), the INSERT then siddhi.flush(), and the
	 * INSERT under siddhi.synchronous_commit = on (COMMIT returns once
	 * the engine has committed the result).
	 */
	exec_or_die(producer, "SELECT siddhi.deploy('latency_sync', $$"
						  " CREATE STREAM latsync (id bigint, v float8);"
						  " CREATE TABLE latsync_out (id bigint, v float8);"
						  " INSERT INTO latsync_out SELECT id, v FROM latsync"
						  " WHERE v >= 0; $$, replace => true)");
	exec_or_die(producer, "SELECT siddhi.flush()");
	{
		static const char *const modes[3] = {
			"plain INSERT (result not yet there)",
			"INSERT + siddhi.flush()",
			"INSERT, synchronous_commit = on",
		};
		double *m[3];

		for (int k = 0; k < 3; k++)
		{
			m[k] = malloc(sizeof(double) * n);
			exec_or_die(producer, k == 2 ? "SET siddhi.synchronous_commit = on"
										 : "RESET siddhi.synchronous_commit");
			start = now_us();
			for (int i = 0; i < n; i++)
			{
				double t0;

				pace(start, i, rate);
				snprintf(sql, sizeof(sql),
						 "INSERT INTO latsync VALUES (%d, 1)", k * n + i);
				t0 = now_us();
				exec_or_die(producer, sql);
				if (k == 1)
					exec_or_die(producer, "SELECT siddhi.flush()");
				m[k][i] = now_us() - t0;
			}
		}
		exec_or_die(producer, "RESET siddhi.synchronous_commit");
		for (int k = 0; k < 3; k++)
			report(modes[k], m[k], n);
		printf("synchronous_commit cost, p50 over a plain INSERT: %.0f us\n",
			   m[2][n / 2] - m[0][n / 2]);
	}
	PQfinish(producer);
	PQfinish(watcher);
	return 0;
}
