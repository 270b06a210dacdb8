/*
 * dns — asynchronous DNS on the event loop (c-ares underneath): where does
 * mail for a domain go?
 *
 * dns_route_lookup answers with the domain's mail route: the MX hosts in
 * preference order (equal preferences shuffled), each resolved to its
 * addresses (IPv4 first); the implicit MX (RFC 5321 5.1: no MX, use the
 * domain's own A/AAAA); the null MX (RFC 7505 "MX 0 .": no mail, and no
 * further query is made); NXDOMAIN; or a temporary failure. Addresses that
 * netguard calls unsafe are dropped unless allow_private is set, and
 * counted, so a route that only had unsafe addresses says so.
 *
 * c-ares sockets are registered with the ev loop through its socket-state
 * callback, and its timeouts through an ev timer; nothing here blocks.
 */
#ifndef MAILVET_DNS_H
#define MAILVET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "mailvet/status.h"

struct ev_loop;
typedef struct dns dns;

#define DNS_MAX_HOSTS 10      /* MX hosts kept per domain (hostile zones) */
#define DNS_MAX_ADDRS 8       /* addresses kept per host, half of them per family */
#define DNS_MAX_CNAMES 8      /* CNAME hops followed in one answer */

typedef enum {
	ROUTE_OK,          /* hosts[] has at least one usable address */
	ROUTE_NXDOMAIN,    /* the domain does not exist */
	ROUTE_NULL_MX,     /* RFC 7505: the domain accepts no mail */
	ROUTE_NO_HOSTS,    /* no MX and no address, or MX hosts that do not resolve */
	ROUTE_UNSAFE,      /* only unsafe (private, loopback...) addresses */
	ROUTE_TEMPFAIL,    /* SERVFAIL, timeout, malformed answer: try later */
} route_status;

const char *route_status_name(route_status s);

typedef struct dns_host {
	char name[256];
	uint16_t pref;
	uint8_t naddr;
	uint8_t nunsafe;          /* addresses dropped by netguard */
	int status;               /* c-ares status of its address lookups (the worst) */
	struct sockaddr_storage addr[DNS_MAX_ADDRS];
} dns_host;

typedef struct dns_route {
	route_status status;
	bool implicit;            /* no MX: the domain itself is the host */
	uint32_t ttl;             /* seconds the answer may be cached */
	size_t nhosts;
	size_t nmx;               /* MX records in the answer (before the cap) */
	dns_host hosts[DNS_MAX_HOSTS];
	char detail[96];          /* for temporary failures: what happened */
} dns_route;

/*
 * One DNS answer read the way a resolver reads it: the CNAME chain from the
 * asked name is followed (at most DNS_MAX_CNAMES hops, so a loop ends), and
 * the records of the asked type owned by the end of the chain are passed to
 * the callback; records of other owners are ignored. Every name and record
 * is bounds-checked (names through c-ares, compression loops refused).
 */
typedef enum {
	ANSWER_OK,          /* well formed; its records, maybe none, were passed on */
	ANSWER_MALFORMED,   /* cut short, bad names, bad record data */
	ANSWER_TRUNCATED,   /* TC still set: even the answer over TCP was cut */
	ANSWER_CNAME_LOOP,  /* the chain loops or is longer than DNS_MAX_CNAMES */
} dns_answer_status;

const char *dns_answer_status_name(dns_answer_status s);

typedef struct dns_record {
	uint16_t type;            /* 1 A, 28 AAAA, 15 MX */
	uint16_t pref;            /* MX */
	uint32_t ttl;
	const char *host;         /* MX: the exchange, "" for the null MX */
	const unsigned char *addr;    /* A: 4 bytes, AAAA: 16 */
} dns_record;

typedef void dns_record_cb(void *arg, const dns_record *rec);

/* qtype: 1 (A), 28 (AAAA) or 15 (MX); the records are valid during the call. */
dns_answer_status dns_answer_parse(const unsigned char *msg, size_t len, const char *qname,
				   uint16_t qtype, dns_record_cb *cb, void *arg);

/* Called once per lookup; the route is valid during the call only. */
typedef void dns_route_cb(void *arg, const dns_route *route);

/*
 * servers: "host:port[,host:port...]" or NULL for the system resolver.
 * timeout_ms: per try; tries: attempts per server.
 */
dns *dns_create(struct ev_loop *ev, const char *servers, int timeout_ms,
		int tries, mv_status *st);
/* Pending lookups are dropped without their callbacks. */
void dns_destroy(dns *d);

mv_status dns_route_lookup(dns *d, const char *domain, bool allow_private,
			   dns_route_cb *cb, void *arg);
/*
 * Plain lookups for `mailvet doctor`. Each callback gets a c-ares status
 * (0 = found) and the answers; they are valid during the call only.
 */
typedef void dns_addrs_cb(void *arg, int status, const struct sockaddr_storage *addrs, size_t n);
typedef void dns_names_cb(void *arg, int status, const char *const *names, size_t n);
mv_status dns_query_addrs(dns *d, const char *name, dns_addrs_cb *cb, void *arg);
mv_status dns_query_txt(dns *d, const char *name, dns_names_cb *cb, void *arg);
mv_status dns_query_ptr(dns *d, const struct sockaddr_storage *addr, dns_names_cb *cb, void *arg);

/* Lookups in flight. */
unsigned dns_pending(const dns *d);

/* "192.0.2.1" / "2001:db8::1" into out (64 bytes). */
const char *dns_addr_str(const struct sockaddr_storage *ss, char out[64]);

#endif
