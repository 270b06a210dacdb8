#include "mailvet/suppress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailvet/buf.h"
#include "mailvet/fsutil.h"
#include "mailvet/intern.h"
#include "mailvet/text.h"

#define MAX_ENTRY 512
#define MAX_FILE (256u << 20)

struct suppress {
	intern *addrs;     /* lower-cased "local@domain" */
	intern *domains;   /* lower-cased "domain" */
};

suppress *suppress_create(void)
{
	suppress *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->addrs = intern_create();
	s->domains = intern_create();
	if (!s->addrs || !s->domains) {
		suppress_destroy(s);
		return NULL;
	}
	return s;
}

void suppress_destroy(suppress *s)
{
	if (!s)
		return;
	intern_destroy(s->addrs);
	intern_destroy(s->domains);
	free(s);
}

/* Trim white space and a comment; lower-case into out. Returns length. */
static size_t clean_entry(const char *p, size_t n, char *out)
{
	const char *hash = memchr(p, '#', n);
	if (hash)
		n = (size_t)(hash - p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n > MAX_ENTRY)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = text_ascii_lower(p[i]);
	return n;
}

mv_status suppress_add(suppress *s, const char *entry, size_t n)
{
	char e[MAX_ENTRY];
	n = clean_entry(entry, n, e);
	if (!n)
		return MV_OK;
	const char *at = memchr(e, '@', n);
	uint32_t id;
	if (!at)
		id = intern_put(s->domains, e, n, NULL);
	else if (at == e)
		id = n > 1 ? intern_put(s->domains, e + 1, n - 1, NULL) : 1;
	else
		id = intern_put(s->addrs, e, n, NULL);
	return id ? MV_OK : MV_NOMEM;
}

static mv_status read_file(const char *path, buf *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return errno == ENOENT ? MV_NOENT : MV_IO;
	char tmp[65536];
	size_t n;
	mv_status st = MV_OK;
	while (!st && (n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		st = buf_append(b, tmp, n);
	if (!st && ferror(fp))
		st = MV_IO;
	fclose(fp);
	return st;
}

mv_status suppress_load(suppress *s, const char *path)
{
	buf b;
	buf_init(&b, MAX_FILE);
	mv_status st = read_file(path, &b);
	if (st == MV_NOENT) {
		buf_free(&b);
		return MV_OK;
	}
	const char *p = buf_str(&b);
	size_t left = b.len;
	while (!st && left) {
		const char *nl = memchr(p, '\n', left);
		size_t len = nl ? (size_t)(nl - p) : left;
		st = suppress_add(s, p, len);
		if (!nl)
			break;
		left -= len + 1;
		p = nl + 1;
	}
	buf_free(&b);
	return st;
}

size_t suppress_count(const suppress *s)
{
	return intern_count(s->addrs) + intern_count(s->domains);
}

bool suppress_match(const suppress *s, const char *addr, size_t n)
{
	char e[MAX_ENTRY];
	if (n == 0 || n > MAX_ENTRY)
		return false;
	for (size_t i = 0; i < n; i++)
		e[i] = text_ascii_lower(addr[i]);
	if (intern_find(s->addrs, e, n))
		return true;
	const char *at = memchr(e, '@', n);
	const char *dom = at ? at + 1 : e;
	size_t dn = n - (size_t)(dom - e);
	/* the domain and each parent domain */
	while (dn) {
		if (intern_find(s->domains, dom, dn))
			return true;
		const char *dot = memchr(dom, '.', dn);
		if (!dot)
			break;
		dn -= (size_t)(dot + 1 - dom);
		dom = dot + 1;
	}
	return false;
}

mv_status suppress_append(const char *path, const char *const *entries,
			  size_t n, size_t *added)
{
	buf old, out;
	suppress *have = NULL;
	mv_status st;
	size_t count = 0;
	int fd = -1;
	char tmp[4200];

	buf_init(&old, MAX_FILE);
	buf_init(&out, MAX_FILE);
	if (added)
		*added = 0;
	st = fs_mkparents(path);
	if (st)
		goto out;
	st = read_file(path, &old);
	if (st == MV_NOENT)
		st = MV_OK;
	if (st)
		goto out;
	have = suppress_create();
	if (!have) {
		st = MV_NOMEM;
		goto out;
	}
	st = suppress_load(have, path);
	if (st)
		goto out;
	st = buf_append(&out, buf_str(&old), old.len);
	if (!st && old.len && old.data[old.len - 1] != '\n')
		st = buf_append_char(&out, '\n');
	for (size_t i = 0; i < n && !st; i++) {
		char e[MAX_ENTRY] = { 0 };
		size_t len = clean_entry(entries[i], strlen(entries[i]), e);
		if (!len || memchr(e, '\n', len))
			continue;
		bool dup = memchr(e, '@', len) && e[0] != '@' ?
			   suppress_match(have, e, len) :
			   intern_find(have->domains, e[0] == '@' ? e + 1 : e,
				       e[0] == '@' ? len - 1 : len) != 0;
		if (dup)
			continue;
		st = suppress_add(have, e, len);
		if (!st)
			st = buf_append(&out, e, len);
		if (!st)
			st = buf_append_char(&out, '\n');
		count++;
	}
	if (st || !count)
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		st = MV_TOOBIG;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		st = MV_IO;
		goto out;
	}
	fchmod(fd, 0600);
	size_t off = 0;
	while (off < out.len) {
		ssize_t w = write(fd, out.data + off, out.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			st = MV_IO;
			break;
		}
		off += (size_t)w;
	}
	if (!st && fsync(fd) != 0)
		st = MV_IO;
	if (close(fd) != 0 && !st)
		st = MV_IO;
	if (!st && rename(tmp, path) != 0)
		st = MV_IO;
	if (st)
		unlink(tmp);
	else if (added)
		*added = count;
out:
	suppress_destroy(have);
	buf_free(&old);
	buf_free(&out);
	return st;
}

const char *suppress_default_path(char *out, size_t cap)
{
	const char *x = getenv("XDG_DATA_HOME");
	int n;
	if (x && *x == '/') {
		n = snprintf(out, cap, "%s/mailvet/suppression.txt", x);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NULL;
		n = snprintf(out, cap, "%s/.local/share/mailvet/suppression.txt", home);
	}
	return n > 0 && (size_t)n < cap ? out : NULL;
}
