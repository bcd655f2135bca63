/*-------------------------------------------------------------------------
 *
 * http_common.c
 *	  What the HTTP sink (http_sink.c) and the HTTP polling source
 *	  (http_poll.c) share: siddhi.http_allowed_hosts, checked on the
 *	  address curl is about to connect to (after name resolution, so a
 *	  name that resolves to a forbidden address is caught too).
 *
 * '*' is any address but the loopback, link-local (169.254.0.0/16, which
 * holds cloud metadata services, and fe80::/10) and unspecified ones;
 * those must be listed explicitly.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "siddhi/sink.h"
#include "utils/guc.h"

#include "http_int.h"

char *siddhi_http_allowed_hosts = NULL;

/* Allow-list -------------------------------------------------------------- */

typedef struct AllowEntry
{
	int family; /* AF_INET, AF_INET6, or 0 for '*' */
	unsigned char addr[16];
	int bits;
} AllowEntry;

/* Parse "a.b.c.d[/n]", "x::y[/n]" or "*"; false if malformed. */
static bool
parse_allow_entry(const char *s, AllowEntry *e)
{
	char buf[128];
	char *slash;
	int maxbits;

	if (strcmp(s, "*") == 0)
	{
		e->family = 0;
		return true;
	}
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, e->addr) == 1)
	{
		e->family = AF_INET;
		maxbits = 32;
	}
	else if (inet_pton(AF_INET6, buf, e->addr) == 1)
	{
		e->family = AF_INET6;
		maxbits = 128;
	}
	else
		return false;
	e->bits = maxbits;
	if (slash)
	{
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (end == slash + 1 || *end != '\0' || b < 0 || b > maxbits)
			return false;
		e->bits = (int) b;
	}
	return true;
}

static bool
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (0xFF << (8 - rest))) == 0;
}

/* Loopback, link-local, unspecified (and their v4-mapped forms). */
static bool
address_special(int family, const unsigned char *a)
{
	static const unsigned char zero16[16] = { 0 };

	if (family == AF_INET)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254) || (a[0] == 0);
	if (memcmp(a, zero16, 15) == 0 && (a[15] == 1 || a[15] == 0))
		return true; /* ::1, :: */
	if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80)
		return true; /* fe80::/10 */
	if (memcmp(a, zero16, 10) == 0 && a[10] == 0xFF && a[11] == 0xFF)
		return address_special(AF_INET, a + 12);
	return false;
}

/*
 * Is the address allowed by the list?  Runs inside a curl callback: no
 * palloc, no ereport (the list was checked when it was set).
 */
static bool
address_allowed(const char *list, int family, const unsigned char *a)
{
	char item[128];
	const char *p = list;

	while (p && *p)
	{
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t) (comma - p) : strlen(p);
		AllowEntry e;

		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0 && len < sizeof(item))
		{
			memcpy(item, p, len);
			item[len] = '\0';
			if (parse_allow_entry(item, &e))
			{
				if (e.family == 0 && !address_special(family, a))
					return true;
				if (e.family == family && prefix_match(a, e.addr, e.bits))
					return true;
			}
		}
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

static bool
check_allowed_hosts(char **newval, void **extra, GucSource source)
{
	char *copy = pstrdup(*newval);
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t;
		 t = strtok_r(NULL, ",", &save))
	{
		AllowEntry e;

		while (*t == ' ' || *t == '\t')
			t++;
		for (char *q = t + strlen(t);
			 q > t && (q[-1] == ' ' || q[-1] == '\t');)
			*--q = '\0';
		if (*t == '\0')
			continue;
		if (!parse_allow_entry(t, &e))
		{
			GUC_check_errdetail("\"%s\" is not '*', an IP address or an "
								"address/prefix length.",
								t);
			return false;
		}
	}
	pfree(copy);
	return true;
}

void
siddhi_http_guc_init(void)
{
	DefineCustomStringVariable(
		"siddhi.http_allowed_hosts",
		"Addresses HTTP sinks and polling sources may connect to: '*', IP "
		"addresses, "
		"address/prefix.",
		"'*' is any address but the loopback, link-local and unspecified "
		"ones, which must be listed to be reached.",
		&siddhi_http_allowed_hosts, "*", PGC_SIGHUP, 0, check_allowed_hosts,
		NULL, NULL);
}

/* Is the address allowed by siddhi.http_allowed_hosts? (no palloc) */
bool
siddhi_http_address_allowed(int family, const unsigned char *a)
{
	return address_allowed(
		siddhi_http_allowed_hosts ? siddhi_http_allowed_hosts : "*", family,
		a);
}

/* curl's opensocket callback: refuse addresses the list does not allow */
curl_socket_t
siddhi_http_open_socket(void *clientp, curlsocktype purpose,
						struct curl_sockaddr *address)
{
	bool *denied = clientp;
	const unsigned char *a = NULL;
	int family = address->family;

	if (family == AF_INET)
		a = (const unsigned char *) &((struct sockaddr_in *) &address->addr)
				->sin_addr;
	else if (family == AF_INET6)
		a = (const unsigned char *) &((struct sockaddr_in6 *) &address->addr)
				->sin6_addr;
	if (a == NULL || !siddhi_http_address_allowed(family, a))
	{
		*denied = true;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype, address->protocol);
}
