/* util: see util.h. Allocation failure is the one condition that does not
 * come back as an error: the process cannot continue, so the installed hook
 * gets a chance to restore the terminal, then the process ends with the
 * status of every other error (2) and a message; never abort(), whose 134
 * and core dump read as a crash. Nothing buffered is flushed: a report cut
 * short must not look whole. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void (*oom_hook)(void);

int ft_fail(struct ft_err *err, enum ft_code code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void ft_err_clear(struct ft_err *err)
{
	if (err) {
		err->code = FT_OK;
		err->msg[0] = '\0';
	}
}

void ft_progress_report(const struct ft_progress *p, const char *stage,
			uint64_t done, uint64_t total)
{
	if (p && p->fn)
		p->fn(p->ctx, stage, done, total);
}

bool ft_cancelled(const struct ft_progress *p)
{
	return p && p->cancel && atomic_load_explicit(p->cancel, memory_order_relaxed);
}

void ft_set_oom_hook(void (*hook)(void))
{
	oom_hook = hook;
}

static void *oom(void)
{
	static const char msg[] = "fraudtree: out of memory\n";
	if (oom_hook)
		oom_hook();
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return oom();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void sb_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->data = xrealloc(sb->data, cap);
	sb->cap = cap;
}

void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sb_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void fmt_double(char buf[32], double v)
{
	if (isnan(v) || isinf(v)) {
		/* JSON has no NaN; files write null-like 0 only through callers that
		 * check first. Keep something parseable. */
		snprintf(buf, 32, "0");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static char *read_whole(const char *path, size_t *len, bool text, struct ft_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		ft_fail(err, FT_EIO, "%s: %s", path,
			S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
		close(fd);
		return NULL;
	}
	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		/* Text only: a NUL byte ends the read at once, so endless binary
		 * input (/dev/zero) is an error, not a slow exhaustion of memory. */
		const char *nul = text ? memchr(buf + n, '\0', (size_t)r) : NULL;
		if (nul) {
			size_t line = 1;
			for (const char *p = buf; p < nul; p++)
				line += *p == '\n';
			ft_fail(err, FT_EINPUT, "%s:%zu: NUL byte: binary data, not text", path, line);
			free(buf);
			close(fd);
			return NULL;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *file_read_all(const char *path, size_t *len, struct ft_err *err)
{
	return read_whole(path, len, true, err);
}

char *file_read_bytes(const char *path, size_t *len, struct ft_err *err)
{
	return read_whole(path, len, false, err);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void fsync_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
}

int out_open(struct out_file *o, const char *path, unsigned mode, struct ft_err *err)
{
	struct stat st;
	o->tmp = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		o->fd = -1;
		o->path = NULL;
		return ft_fail(err, FT_EIO, "%s: is a directory", path);
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
	} else {
		o->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	}
	if (o->fd < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		o->path = NULL;
		return -1;
	}
	o->path = xstrdup(path);
	return 0;
}

int out_commit(struct out_file *o, bool ok, struct ft_err *err)
{
	int rc = 0;
	if (o->fd < 0)
		return -1;
	if (ok && o->tmp && fsync(o->fd) < 0)
		rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
	if (close(o->fd) < 0 && ok && rc == 0)
		rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
	if (ok && rc == 0 && o->tmp) {
		if (rename(o->tmp, o->path) < 0)
			rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
		else
			fsync_parent(o->path);
	}
	if (o->tmp && (!ok || rc < 0))
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->fd = -1;
	o->tmp = o->path = NULL;
	return ok ? rc : -1;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct ft_err *err)
{
	struct out_file o;
	if (out_open(&o, path, mode, err) < 0)
		return -1;
	if (write_all(o.fd, data, len) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		out_commit(&o, false, NULL);
		return -1;
	}
	return out_commit(&o, true, err);
}

double ft_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct ft_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct ft_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_uniform(struct ft_rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(struct ft_rng *r, uint64_t n)
{
	if (n <= 1)
		return 0;
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

double rng_normal(struct ft_rng *r)
{
	double u1, u2;
	do
		u1 = rng_uniform(r);
	while (u1 <= 0.0);
	u2 = rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int ft_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return (int)n;
}
