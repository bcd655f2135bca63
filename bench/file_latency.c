/*
 * file_latency: time from a line appended to a tailed file (write(2)
 * returns) to its output event delivered by siddhi.poll() in a session;
 * and, as the baseline in the same run, from the start of a one-row
 * autocommit INSERT into a stream to its output event, the path a client
 * that writes rows would take.  Lines and rows at a steady rate.
 *
 *   file_latency "connstr" /abs/path/of/file rate_per_second seconds
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
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

static void
poll_one(PGconn *c, const char *stream, int i)
{
	char sql[128];
	PGresult *r;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM siddhi.poll('%s', 1, 5000)",
			 stream);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
	{
		fprintf(stderr, "%s: event %d not delivered: %s", stream, i,
				PQerrorMessage(c));
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
	const char *conninfo = argv[1];
	const char *path = argv[2];
	int rate = atoi(argv[3]);
	int n = rate * atoi(argv[4]);
	PGconn *c = PQconnectdb(conninfo);
	PGconn *w = PQconnectdb(conninfo);
	double *lat = malloc(sizeof(double) * n);
	double *base = malloc(sizeof(double) * n);
	double start;
	char buf[1024];
	int fd;

	if (PQstatus(c) != CONNECTION_OK || PQstatus(w) != CONNECTION_OK)
	{
		fprintf(stderr, "connect: %s", PQerrorMessage(c));
		return 1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0)
	{
		perror(path);
		return 1;
	}
	snprintf(buf, sizeof(buf),
			 "SELECT siddhi.deploy('filelat', $$"
			 " @source(type = 'file', file.uri = '%s', @map(type = 'csv'))"
			 " define stream FileIn (id long, v double);"
			 " define stream RowIn (id long, v double);"
			 " from FileIn[v >= 0] select id, v insert into FileOut;"
			 " from RowIn[v >= 0] select id, v insert into RowOut; $$)",
			 path);
	exec_or_die(c, buf);
	exec_or_die(w, "SELECT siddhi.subscribe('fileout')");
	exec_or_die(w, "SELECT siddhi.subscribe('rowout')");
	sleep(1); /* the source started and watches the file */

	start = now_us();
	for (int i = 0; i < n; i++)
	{
		double t0;
		int len = snprintf(buf, sizeof(buf), "%d,1\n", i);

		pace(start, i, rate);
		t0 = now_us();
		if (write(fd, buf, len) != len)
		{
			perror("write");
			return 1;
		}
		poll_one(w, "fileout", i);
		lat[i] = now_us() - t0;
	}

	start = now_us();
	for (int i = 0; i < n; i++)
	{
		double t0;

		pace(start, i, rate);
		snprintf(buf, sizeof(buf), "INSERT INTO rowin VALUES (%d, 1)", i);
		t0 = now_us();
		exec_or_die(c, buf);
		poll_one(w, "rowout", i);
		base[i] = now_us() - t0;
	}

	report("file: append -> poll", lat, n);
	report("baseline: INSERT -> poll", base, n);
	printf("ratio p99 file/INSERT: %.2f\n",
		   lat[(int) (n * 0.99)] / base[(int) (n * 0.99)]);
	PQfinish(c);
	PQfinish(w);
	return 0;
}
