/*
 * addr — clean, parse and normalize ONE email address from a raw cell.
 *
 * Used by the local pass for every row, by the engine, and by the
 * workbench's "accept suggestion" / edit re-check, so all three judge an
 * address the same way.
 *
 * Steps, in order:
 *   1. clean: trim ASCII and Unicode white space (NBSP, zero-width
 *      space/joiner/non-joiner, word joiner, BOM, the U+2000 spaces,
 *      ideographic space); strip `mailto:` (and a `?query`); unwrap quotes,
 *      <>, () or [] left around the whole address by exports; take the
 *      address out of a display-name form `Jane Doe <jane@x.test>`
 *      (ADDR_DISPLAY_NAME). A cell holding several addresses is split
 *      (ADDR_MULTIPLE, reason multiple_addresses; the first valid one is
 *      parsed into the result so a front end can offer it, never apply it).
 *   2. junk: empty, placeholders (n/a, none, -, unknown, test@test.com,
 *      noemail@..., ...), no `@` at all → REASON_JUNK. test@test.com is
 *      judged on the normalized domain, once its syntax is good.
 *   3. syntax: RFC 5321 Mailbox (dot-atom or quoted-string local part),
 *      RFC 6531 UTF-8 local parts, IDNA/UTS #46 domains (libidn2, called
 *      only for non-ASCII or xn-- domains). Limits: local part 64 octets,
 *      domain 253, label 63, address 254 (with the A-label domain).
 *      Policy on top (addr_policy): quoted and UTF-8 local parts are
 *      flagged; IP literals, comments, obsolete syntax, single-label
 *      domains and numeric TLDs are syntax_error; reserved names
 *      (RFC 2606/6761: .test .example .invalid .localhost .local .onion,
 *      example.com/.net/.org) are reserved_domain unless allowed.
 *   4. normalize: domain lower-cased A-label; local part kept as typed.
 *
 * Invariants: an accepted address (reason REASON_NONE) is at most 254
 * octets, has exactly one unquoted '@', and holds no byte < 0x20 and no
 * DEL: it is safe to put on the SMTP wire. Nothing allocates except the
 * IDN conversions, which are freed before returning. Thread-safe: no
 * state outside the caller's structs.
 */
#ifndef MAILVET_ADDR_H
#define MAILVET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include "mailvet/reason.h"
#include "mailvet/table.h"   /* mv_str */

#define ADDR_MAX 254         /* octets, local@domain */
#define ADDR_LOCAL_MAX 64
#define ADDR_DOMAIN_MAX 253
#define ADDR_LABEL_MAX 63

/* What cleaning and parsing found (addr.flags). */
enum {
	ADDR_DISPLAY_NAME = 1u << 0,  /* taken out of `Name <addr>` */
	ADDR_QUOTED       = 1u << 1,  /* quoted-string local part */
	ADDR_UTF8_LOCAL   = 1u << 2,  /* non-ASCII local part (SMTPUTF8) */
	ADDR_MULTIPLE     = 1u << 3,  /* several addresses in the cell */
	ADDR_MAILTO       = 1u << 4,  /* a mailto: prefix was stripped */
	ADDR_WRAPPED      = 1u << 5,  /* quotes/brackets were unwrapped */
	ADDR_TRIMMED      = 1u << 6,  /* white space was trimmed */
	ADDR_IDN          = 1u << 7,  /* the domain has a Unicode form */
	ADDR_UPPER        = 1u << 8,  /* the local part has ASCII upper case */
	ADDR_SINGLE_LABEL = 1u << 9,  /* rejected only for a one-label domain
	                                 (norm/domain are filled: "gmailcom") */
};

/* The configurable policy. Zero-initialised = the default policy. */
typedef struct addr_policy {
	bool allow_reserved;     /* accept .test/.example/... (--allow-reserved) */
	bool reject_quoted;      /* quoted local parts are syntax_error */
	bool reject_utf8_local;  /* UTF-8 local parts are syntax_error */
	bool allow_ip_literal;   /* accept user@[192.0.2.1] */
} addr_policy;

typedef struct addr {
	char norm[ADDR_MAX + 1];  /* "local@a-label", NUL-terminated */
	size_t len;               /* strlen(norm); 0 when nothing parsed */
	size_t local_len;         /* the local part is norm[0..local_len) */
	char udomain[ADDR_DOMAIN_MAX * 4 + 1]; /* Unicode domain, when ADDR_IDN */
	size_t clean_off;         /* the address as typed: cell[clean_off..] */
	size_t clean_len;
	unsigned flags;           /* ADDR_* */
	mv_reason reason;         /* REASON_NONE when accepted */
	const char *detail;       /* static text saying why; "" when accepted */
} addr;

/*
 * Parse one cell. Returns a->reason: REASON_NONE (accepted), or
 * REASON_JUNK, REASON_SYNTAX_ERROR, REASON_RESERVED_DOMAIN,
 * REASON_MULTIPLE_ADDRESSES. pol may be NULL (default policy).
 */
mv_reason addr_parse(const char *cell, size_t n, const addr_policy *pol, addr *a);

/* Views of a parsed address (valid while *a lives). */
mv_str addr_local(const addr *a);
mv_str addr_domain(const addr *a);          /* A-label, lower case */
mv_str addr_domain_display(const addr *a);  /* Unicode form when IDN */

/*
 * Split a cell that holds several addresses (separated by , ; or white
 * space outside quotes and <>) into at most max spans of the cell. Returns
 * the number of spans that contain an '@' (only those are stored).
 */
size_t addr_split(const char *cell, size_t n, mv_str *parts, size_t max);

/* Is this lower-case A-label domain reserved (RFC 2606/6761)? */
bool addr_reserved_domain(const char *d, size_t n);

/* Trim ASCII and Unicode white space at both ends of s[0..*n); returns the
 * new start and updates *n. */
const char *addr_trim(const char *s, size_t *n);

#endif
