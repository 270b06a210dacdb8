/*
 * netguard — which addresses mailvet may connect to.
 *
 * A hostile list or DNS zone can point an MX at loopback, private,
 * link-local, multicast or unspecified space to make mailvet probe internal
 * hosts. Such addresses are refused (reason unsafe_mx) unless the user
 * allows private MX hosts (tests, the demo network, split-horizon setups).
 * IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are judged by the IPv4
 * address inside.
 */
#ifndef MAILVET_NETGUARD_H
#define MAILVET_NETGUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* True when the address is not a public unicast address. */
bool netguard_is_unsafe_v4(const uint8_t a[4]);
bool netguard_is_unsafe_v6(const uint8_t a[16]);
bool netguard_is_unsafe(const struct sockaddr *sa);
/* A short name of the class ("loopback", "private", ...) or "public". */
const char *netguard_class(const struct sockaddr *sa);

#endif
