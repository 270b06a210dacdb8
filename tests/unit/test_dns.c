/*
 * dns: the answer reader (dns_answer_parse) on hand-built messages — no
 * packet is sent. Hostile answers first: short, truncated, cut, looping
 * names and CNAME chains; then the real cases.
 */
#include "test.h"

#include <stdint.h>

#include "mailvet/dns.h"

/* A message under construction: header, one question, answer records. */
typedef struct msg {
	unsigned char b[32768];
	size_t n;
	unsigned an;
} msg;

static void put16(msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)(v >> 8);
	m->b[m->n++] = (unsigned char)v;
}

static void put_name(msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		m->b[m->n++] = (unsigned char)l;
		memcpy(m->b + m->n, name, l);
		m->n += l;
		name += l + (dot ? 1 : 0);
	}
	m->b[m->n++] = 0;
}

static void msg_start(msg *m, const char *qname, unsigned qtype)
{
	memset(m, 0, sizeof(*m));
	put16(m, 0x1234);
	put16(m, 0x8580);       /* response, AA, RD, RA */
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* A record; owner NULL = a pointer to the question name. */
static void rr_head(msg *m, const char *owner, unsigned type, unsigned rdlen)
{
	if (owner) {
		put_name(m, owner);
	} else {
		m->b[m->n++] = 0xc0;
		m->b[m->n++] = 0x0c;
	}
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, rdlen);
	m->an++;
	m->b[6] = (unsigned char)(m->an >> 8);
	m->b[7] = (unsigned char)m->an;
}

static void rr_name(msg *m, const char *owner, unsigned type, int pref, const char *target)
{
	size_t tl = *target ? strlen(target) + 2 : 1;
	rr_head(m, owner, type, (unsigned)tl + (pref >= 0 ? 2u : 0u));
	if (pref >= 0)
		put16(m, (unsigned)pref);
	put_name(m, target);
}

static void rr_a(msg *m, const char *owner, unsigned char last)
{
	rr_head(m, owner, 1, 4);
	m->b[m->n++] = 127;
	m->b[m->n++] = 0;
	m->b[m->n++] = 0;
	m->b[m->n++] = last;
}

/* What the callback saw, as text: "10 mx.a.test;20 mx2.a.test;" or "127.0.0.2;". */
typedef struct seen {
	char text[4096];
	size_t n;
	unsigned count;
} seen;

static void record(void *arg, const dns_record *r)
{
	seen *s = arg;
	s->count++;
	if (s->n + 300 > sizeof(s->text))
		return;
	if (r->type == 15)
		s->n += (size_t)snprintf(s->text + s->n, sizeof(s->text) - s->n, "%u %s;", r->pref, r->host);
	else if (r->type == 1)
		s->n += (size_t)snprintf(s->text + s->n, sizeof(s->text) - s->n, "%u.%u.%u.%u;",
					 r->addr[0], r->addr[1], r->addr[2], r->addr[3]);
	else
		s->n += (size_t)snprintf(s->text + s->n, sizeof(s->text) - s->n, "aaaa;");
}

static dns_answer_status parse(const msg *m, const char *qname, unsigned qtype, seen *s)
{
	memset(s, 0, sizeof(*s));
	return dns_answer_parse(m->b, m->n, qname, (uint16_t)qtype, record, s);
}

TEST(dns_answer_degenerate)
{
	static const unsigned char hdr[12] = { 0x12, 0x34, 0x85, 0x80 };
	seen s;
	memset(&s, 0, sizeof(s));
	CHECK_INT(dns_answer_parse(NULL, 0, "a.test", 15, record, &s), ANSWER_MALFORMED);
	CHECK_INT(dns_answer_parse(hdr, 11, "a.test", 15, record, &s), ANSWER_MALFORMED);
	CHECK_INT(dns_answer_parse(hdr, 12, NULL, 15, record, &s), ANSWER_MALFORMED);
	/* a header alone: no question, no answer — nothing, but well formed */
	CHECK_INT(dns_answer_parse(hdr, 12, "a.test", 15, record, &s), ANSWER_OK);
	CHECK_INT(s.count, 0);
	CHECK_STR(dns_answer_status_name(ANSWER_CNAME_LOOP), "CNAME loop");
}

TEST(dns_answer_hostile)
{
	msg m;
	seen s;
	/* TC still set (the TCP answer was cut too) */
	msg_start(&m, "a.test", 15);
	rr_name(&m, NULL, 15, 10, "mx.a.test");
	m.b[2] |= 0x02;
	CHECK_INT(parse(&m, "a.test", 15, &s), ANSWER_TRUNCATED);
	CHECK_INT(s.count, 0);
	/* the answer count promises more than the message holds */
	msg_start(&m, "a.test", 15);
	rr_name(&m, NULL, 15, 10, "mx.a.test");
	m.b[7] = 3;
	CHECK_INT(parse(&m, "a.test", 15, &s), ANSWER_MALFORMED);
	/* record data past the end */
	msg_start(&m, "a.test", 15);
	rr_name(&m, NULL, 15, 10, "mx.a.test");
	m.n -= 3;
	CHECK_INT(parse(&m, "a.test", 15, &s), ANSWER_MALFORMED);
	/* a question name cut short */
	msg_start(&m, "a.test", 15);
	CHECK_INT(dns_answer_parse(m.b, 15, "a.test", 15, record, &s), ANSWER_MALFORMED);
	/* an MX exchange that is a compression pointer to itself */
	msg_start(&m, "a.test", 15);
	rr_head(&m, NULL, 15, 4);
	put16(&m, 10);
	m.b[m.n] = 0xc0;
	m.b[m.n + 1] = (unsigned char)m.n;
	m.n += 2;
	CHECK_INT(parse(&m, "a.test", 15, &s), ANSWER_MALFORMED);
	/* a pointer past the end in the owner */
	msg_start(&m, "a.test", 15);
	m.b[m.n++] = 0xc0;
	m.b[m.n++] = 0xff;
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 300);
	put16(&m, 4);
	put16(&m, 0x7f00);
	put16(&m, 0x0001);
	m.b[7] = 1;
	CHECK_INT(parse(&m, "a.test", 1, &s), ANSWER_MALFORMED);
	/* an A record whose data is not 4 bytes */
	msg_start(&m, "h.test", 1);
	rr_head(&m, NULL, 1, 5);
	memset(m.b + m.n, 1, 5);
	m.n += 5;
	CHECK_INT(parse(&m, "h.test", 1, &s), ANSWER_MALFORMED);
	/* a label length with the reserved 01 bits */
	msg_start(&m, "a.test", 15);
	m.b[12] = 0x41;
	CHECK_INT(parse(&m, "a.test", 15, &s), ANSWER_MALFORMED);
}

TEST(dns_answer_cname_loops)
{
	msg m;
	seen s;
	/* two names pointing at each other, as a server answers a loop */
	msg_start(&m, "loop1.test", 15);
	for (int i = 0; i < 4; i++) {
		rr_name(&m, i ? "loop1.test" : NULL, 5, -1, "loop2.test");
		rr_name(&m, "loop2.test", 5, -1, "loop1.test");
	}
	CHECK_INT(parse(&m, "loop1.test", 15, &s), ANSWER_CNAME_LOOP);
	/* a name that is its own alias */
	msg_start(&m, "self.test", 1);
	rr_name(&m, NULL, 5, -1, "self.test");
	CHECK_INT(parse(&m, "self.test", 1, &s), ANSWER_CNAME_LOOP);
	CHECK_INT(s.count, 0);
	/* a chain of DNS_MAX_CNAMES hops is followed; one more is too long */
	char from[32], to[32];
	msg_start(&m, "c0.test", 1);
	for (int i = 0; i < DNS_MAX_CNAMES; i++) {
		snprintf(from, sizeof(from), "c%d.test", i);
		snprintf(to, sizeof(to), "c%d.test", i + 1);
		rr_name(&m, from, 5, -1, to);
	}
	snprintf(from, sizeof(from), "c%d.test", DNS_MAX_CNAMES);
	rr_a(&m, from, 9);
	CHECK_INT(parse(&m, "c0.test", 1, &s), ANSWER_OK);
	CHECK_STR(s.text, "127.0.0.9;");
	CHECK_INT(parse(&m, "c1.test", 1, &s), ANSWER_OK);    /* from the middle */
	CHECK_STR(s.text, "127.0.0.9;");
	msg_start(&m, "c0.test", 1);
	for (int i = 0; i <= DNS_MAX_CNAMES; i++) {
		snprintf(from, sizeof(from), "c%d.test", i);
		snprintf(to, sizeof(to), "c%d.test", i + 1);
		rr_name(&m, from, 5, -1, to);
	}
	CHECK_INT(parse(&m, "c0.test", 1, &s), ANSWER_CNAME_LOOP);
}

TEST(dns_answer_records)
{
	msg m;
	seen s;
	/* MX: compressed and plain owners, case-insensitive, trailing dot */
	msg_start(&m, "A.Test", 15);
	rr_name(&m, NULL, 15, 10, "mx.a.test");
	rr_name(&m, "a.test", 15, 20, "MX2.a.test");
	rr_name(&m, "other.test", 15, 5, "mx.other.test");     /* not ours: ignored */
	rr_a(&m, "mx.a.test", 2);                               /* other type: ignored */
	CHECK_INT(parse(&m, "a.test.", 15, &s), ANSWER_OK);
	CHECK_STR(s.text, "10 mx.a.test;20 mx2.a.test;");
	/* the null MX: an empty exchange */
	msg_start(&m, "null.test", 15);
	rr_name(&m, NULL, 15, 0, "");
	CHECK_INT(parse(&m, "null.test", 15, &s), ANSWER_OK);
	CHECK_STR(s.text, "0 ;");
	/* a CNAME chain, then the records of its end (MX host aliased) */
	msg_start(&m, "mx.b.test", 1);
	rr_name(&m, NULL, 5, -1, "c2.b.test");
	rr_name(&m, "c2.b.test", 5, -1, "c3.b.test");
	rr_a(&m, "c3.b.test", 2);
	rr_a(&m, "c3.b.test", 3);
	rr_a(&m, "mx.b.test", 99);     /* the alias's own A: not the chain's end */
	CHECK_INT(parse(&m, "mx.b.test", 1, &s), ANSWER_OK);
	CHECK_STR(s.text, "127.0.0.2;127.0.0.3;");
	/* a chain that ends without the type: no records (NODATA), not an error */
	msg_start(&m, "alias.test", 15);
	rr_name(&m, NULL, 5, -1, "host.test");
	CHECK_INT(parse(&m, "alias.test", 15, &s), ANSWER_OK);
	CHECK_INT(s.count, 0);
	/* 1,000 MX records: every one is passed on */
	msg_start(&m, "many.test", 15);
	for (int i = 0; i < 1000 && m.n + 8 < sizeof(m.b); i++)
		rr_name(&m, NULL, 15, i % 7, "");
	CHECK_INT(parse(&m, "many.test", 15, &s), ANSWER_OK);
	CHECK_INT(s.count, m.an);
	CHECK_INT(m.an, 1000);
	/* AAAA */
	msg_start(&m, "v6.test", 28);
	rr_head(&m, NULL, 28, 16);
	memset(m.b + m.n, 0, 16);
	m.b[m.n + 15] = 1;
	m.n += 16;
	CHECK_INT(parse(&m, "v6.test", 28, &s), ANSWER_OK);
	CHECK_STR(s.text, "aaaa;");
	/* no callback: a check only */
	CHECK_INT(dns_answer_parse(m.b, m.n, "v6.test", 28, NULL, NULL), ANSWER_OK);
}
