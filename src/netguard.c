#include "mailvet/netguard.h"

#include <netinet/in.h>
#include <string.h>

static const char *class_v4(const uint8_t a[4])
{
	if (a[0] == 0) return "unspecified";           /* 0.0.0.0/8 */
	if (a[0] == 127) return "loopback";
	if (a[0] == 10) return "private";
	if (a[0] == 172 && (a[1] & 0xf0) == 16) return "private";
	if (a[0] == 192 && a[1] == 168) return "private";
	if (a[0] == 169 && a[1] == 254) return "link-local";
	if (a[0] == 100 && (a[1] & 0xc0) == 64) return "shared";   /* CGNAT */
	if (a[0] == 192 && a[1] == 0 && a[2] == 0) return "reserved";
	if (a[0] == 192 && a[1] == 0 && a[2] == 2) return "documentation";
	if (a[0] == 198 && a[1] == 51 && a[2] == 100) return "documentation";
	if (a[0] == 203 && a[1] == 0 && a[2] == 113) return "documentation";
	if (a[0] == 198 && (a[1] & 0xfe) == 18) return "benchmark";
	if (a[0] >= 224 && a[0] <= 239) return "multicast";
	if (a[0] >= 240) return "reserved";               /* incl. broadcast */
	return "public";
}

static const char *class_v6(const uint8_t a[16])
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	static const uint8_t nat64[12] = { 0,0x64,0xff,0x9b,0,0,0,0,0,0,0,0 };
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return a[15] ? "loopback" : "unspecified";
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 ||
	    memcmp(a, zero, 12) == 0)       /* IPv4-compatible (deprecated) */
		return class_v4(a + 12);
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return "site-local";
	if ((a[0] & 0xfe) == 0xfc) return "private";     /* ULA fc00::/7 */
	if (a[0] == 0xff) return "multicast";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation";
	if (a[0] == 0x20 && a[1] == 0x02)                /* 6to4: embedded v4 */
		return class_v4(a + 2);
	if (a[0] == 0x01 && a[1] == 0 && memcmp(a + 2, zero, 6) == 0)
		return "discard";
	return "public";
}

bool netguard_is_unsafe_v4(const uint8_t a[4])
{
	return strcmp(class_v4(a), "public") != 0;
}

bool netguard_is_unsafe_v6(const uint8_t a[16])
{
	return strcmp(class_v6(a), "public") != 0;
}

const char *netguard_class(const struct sockaddr *sa)
{
	if (!sa)
		return "unspecified";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return class_v4((const uint8_t *)&in->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return class_v6(in6->sin6_addr.s6_addr);
	}
	return "unknown family";
}

bool netguard_is_unsafe(const struct sockaddr *sa)
{
	return strcmp(netguard_class(sa), "public") != 0;
}
