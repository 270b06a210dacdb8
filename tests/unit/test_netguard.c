/* netguard: the address filter is tested directly — no packet is sent. */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "mailvet/netguard.h"

static const char *cls(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	else
		return "bad test input";
	return netguard_class((struct sockaddr *)&ss);
}

TEST(netguard_degenerate)
{
	CHECK_STR(netguard_class(NULL), "unspecified");
	CHECK(netguard_is_unsafe(NULL));
	struct sockaddr sa = { .sa_family = AF_UNIX };
	CHECK(netguard_is_unsafe(&sa));
}

TEST(netguard_v4)
{
	static const struct { const char *a, *c; } cases[] = {
		{ "0.0.0.0", "unspecified" }, { "0.1.2.3", "unspecified" },
		{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" },
		{ "10.0.0.1", "private" }, { "172.16.0.1", "private" },
		{ "172.31.255.255", "private" }, { "172.32.0.1", "public" },
		{ "192.168.1.1", "private" }, { "169.254.169.254", "link-local" },
		{ "100.64.0.1", "shared" }, { "224.0.0.1", "multicast" },
		{ "239.255.255.255", "multicast" }, { "255.255.255.255", "reserved" },
		{ "240.0.0.1", "reserved" }, { "192.0.2.10", "documentation" },
		{ "8.8.8.8", "public" }, { "93.184.216.34", "public" },
		{ "172.15.0.1", "public" }, { "11.0.0.1", "public" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(cls(cases[i].a), cases[i].c);
	uint8_t lo[4] = { 127, 0, 0, 1 }, pub[4] = { 1, 1, 1, 1 };
	CHECK(netguard_is_unsafe_v4(lo));
	CHECK(!netguard_is_unsafe_v4(pub));
}

TEST(netguard_v6)
{
	static const struct { const char *a, *c; } cases[] = {
		{ "::", "unspecified" }, { "::1", "loopback" },
		{ "fe80::1", "link-local" }, { "fc00::1", "private" },
		{ "fd12:3456::1", "private" }, { "ff02::1", "multicast" },
		{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.1.2.3", "private" },
		{ "::ffff:0.0.0.0", "unspecified" }, { "::ffff:8.8.8.8", "public" },
		{ "::127.0.0.1", "loopback" }, { "64:ff9b::192.168.0.1", "private" },
		{ "64:ff9b::8.8.4.4", "public" }, { "2002:c0a8:0101::1", "private" },
		{ "2001:db8::1", "documentation" }, { "fec0::1", "site-local" },
		{ "2a00:1450:4001:81c::200e", "public" }, { "2606:4700::1111", "public" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(cls(cases[i].a), cases[i].c);
}
