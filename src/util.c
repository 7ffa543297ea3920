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
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/random.h>
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

/* Out of memory: the output files being written are still temporaries,
 * and removing them leaves every OUT as it was (as a fatal signal does). */
static void *oom(void)
{
	static const char msg[] = "fraudtree: out of memory\n";
	out_remove_temporaries();
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

/* Read fd to its end; text: a NUL byte ends the read at once, so endless
 * binary input (/dev/zero) is an error, not a slow exhaustion of memory. */
static char *read_fd(int fd, const char *path, size_t *len, bool text, struct ft_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		ft_fail(err, FT_EIO, "%s: is a directory", path);
		return NULL;
	}
	size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
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
			return NULL;
		}
		if (r == 0)
			break;
		const char *nul = text ? memchr(buf + n, '\0', (size_t)r) : NULL;
		if (nul) {
			size_t line = 1;
			for (const char *p = buf; p < nul; p++)
				line += *p == '\n';
			ft_fail(err, FT_EINPUT, "%s:%zu: NUL byte: binary data, not text", path, line);
			free(buf);
			return NULL;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *read_whole(const char *path, size_t *len, bool text, struct ft_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = read_fd(fd, path, len, text, err);
	close(fd);
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

char *fd_read_bytes(int fd, const char *name, size_t *len, struct ft_err *err)
{
	return read_fd(fd, name, len, false, err);
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

uint64_t ft_random64(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof v, 0) == (ssize_t)sizeof v)
		return v;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, &v, sizeof v);
		close(fd);
		if (r == (ssize_t)sizeof v)
			return v;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 48);
	struct ft_rng r;
	rng_seed(&r, x);
	return rng_next(&r);
}

/* FRAUDTREE_PAUSE=POINT:MS holds the process at POINT for MS milliseconds
 * (test builds only), so that tests can make a reader and a writer, or a
 * signal and a window, meet there. */
void ft_test_pause(const char *point)
{
#ifdef FT_TEST_HOOKS
	const char *want = getenv("FRAUDTREE_PAUSE");
	size_t n = strlen(point);
	if (want && !strncmp(want, point, n) && want[n] == ':') {
		long ms = strtol(want + n + 1, NULL, 10);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			continue;
	}
#else
	(void)point;
#endif
}

/* Temporaries not yet renamed or removed, for out_remove_temporaries. A
 * signal handler can only reach a global; each slot is claimed and
 * released atomically, and its name is complete before it is published. */
enum { TMP_SLOTS = 32 };
static struct {
	atomic_int state;          /* 0 free, 1 being filled or emptied, 2 live */
	int dirfd;
	char name[NAME_MAX + 1];
} tmp_slots[TMP_SLOTS];

static int tmp_claim(int dirfd, const char *name)
{
	if (strlen(name) > NAME_MAX)
		return -1;
	for (int i = 0; i < TMP_SLOTS; i++) {
		int expect = 0;
		if (atomic_compare_exchange_strong(&tmp_slots[i].state, &expect, 1)) {
			tmp_slots[i].dirfd = dirfd;
			strcpy(tmp_slots[i].name, name);
			atomic_store(&tmp_slots[i].state, 2);
			return i;
		}
	}
	return -1;   /* table full: still correct, only not cleaned by a signal */
}

static void tmp_release(int slot)
{
	if (slot >= 0) {
		int expect = 2;
		if (atomic_compare_exchange_strong(&tmp_slots[slot].state, &expect, 1))
			atomic_store(&tmp_slots[slot].state, 0);
	}
}

void out_remove_temporaries(void)
{
	for (int i = 0; i < TMP_SLOTS; i++) {
		int expect = 2;
		if (atomic_compare_exchange_strong(&tmp_slots[i].state, &expect, 1))
			unlinkat(tmp_slots[i].dirfd, tmp_slots[i].name, 0);
	}
}

static const char *mode_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a pipe";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISCHR(m))
		return "a character device";
	return "a regular file";
}

static void out_reset(struct out_file *o)
{
	o->fd = -1;
	o->dirfd = -1;
	o->own_dirfd = false;
	o->path = o->name = o->tmp = NULL;
	o->slot = -1;
}

static void out_release(struct out_file *o)
{
	if (o->own_dirfd && o->dirfd >= 0)
		close(o->dirfd);
	free(o->path);
	free(o->name);
	free(o->tmp);
	out_reset(o);
}

static int open_out(struct out_file *o, int dirfd, const char *dirpath, const char *name,
		    unsigned mode, bool in_place_ok, struct ft_err *err)
{
	out_reset(o);
	char *path = !dirpath || !*dirpath ? xstrdup(name)
		: dirpath[strlen(dirpath) - 1] == '/' ? xasprintf("%s%s", dirpath, name)
		: xasprintf("%s/%s", dirpath, name);
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		ft_fail(err, FT_EINPUT, "%s: not a file name", path);
		free(path);
		return -1;
	}
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) ||
		    S_ISSOCK(st.st_mode) || (!in_place_ok && !S_ISREG(st.st_mode))) {
			ft_fail(err, FT_EINPUT, "%s: is %s; %s", path, mode_kind(st.st_mode),
				S_ISLNK(st.st_mode) ? "fraudtree never writes through a link (name its target)"
				: in_place_ok ? "expected a regular file, a pipe or a character device"
					      : "expected a regular file");
			free(path);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			/* A pipe or a terminal: written in place. O_NOFOLLOW and
			 * the type check again close the gap since fstatat. */
			o->fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
			struct stat st2;
			if (o->fd >= 0 && (fstat(o->fd, &st2) < 0 ||
					   (!S_ISFIFO(st2.st_mode) && !S_ISCHR(st2.st_mode)))) {
				close(o->fd);
				o->fd = -1;
				errno = EINVAL;
			}
			if (o->fd < 0) {
				ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
				free(path);
				return -1;
			}
			o->dirfd = dirfd;
			o->path = path;
			o->name = xstrdup(name);
			return 0;
		}
	} else if (errno != ENOENT) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	/* A name no one can guess, created only if nothing is there: a planted
	 * file or link at the temporary's name is never opened. */
	size_t base = strlen(name);
	if (base > NAME_MAX - 21)
		base = NAME_MAX - 21;
	/* The fatal signals wait while the temporary exists but is not yet in
	 * the table, so Ctrl-C or kill can never strand it there. */
	sigset_t fatal, saved;
	sigemptyset(&fatal);
	sigaddset(&fatal, SIGINT);
	sigaddset(&fatal, SIGTERM);
	sigaddset(&fatal, SIGHUP);
	sigaddset(&fatal, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &fatal, &saved);
	for (int tries = 0; tries < 16; tries++) {
		free(o->tmp);
		o->tmp = xasprintf("%.*s.tmp.%016llx", (int)base, name,
				   (unsigned long long)ft_random64());
		o->fd = openat(dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       (mode_t)mode);
		if (o->fd >= 0 || errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		int e = errno;
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(e));
		free(o->tmp);
		o->tmp = NULL;
		free(path);
		return -1;
	}
	ft_test_pause("out-temporary");
	o->slot = tmp_claim(dirfd, o->tmp);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	o->dirfd = dirfd;
	o->path = path;
	o->name = xstrdup(name);
	return 0;
}

int out_open_at(struct out_file *o, int dirfd, const char *dirpath, const char *name,
		unsigned mode, struct ft_err *err)
{
	return open_out(o, dirfd, dirpath, name, mode, false, err);
}

int out_open(struct out_file *o, const char *path, unsigned mode, struct ft_err *err)
{
	out_reset(o);
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*name) {
		struct stat st;
		bool dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		return ft_fail(err, dir ? FT_EIO : FT_EINPUT, "%s: %s", path,
			       dir ? "is a directory" : "not a file name");
	}
	/* The directory is the user's own path and is followed like any path
	 * they type; only the file itself must not be a link. */
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		free(dir);
		return -1;
	}
	int rc = open_out(o, dfd, slash ? dir : "", name, mode, true, err);
	free(dir);
	if (rc < 0) {
		close(dfd);
		return -1;
	}
	o->own_dirfd = true;
	return 0;
}

int out_commit(struct out_file *o, bool ok, struct ft_err *err)
{
	int rc = 0;
	if (o->fd < 0) {
		out_release(o);
		return -1;
	}
	if (ok && o->tmp && fsync(o->fd) < 0)
		rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
	if (close(o->fd) < 0 && ok && rc == 0)
		rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
	o->fd = -1;
	if (ok && rc == 0 && o->tmp) {
		if (renameat(o->dirfd, o->tmp, o->dirfd, o->name) < 0)
			rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
		else if (fsync(o->dirfd) < 0 && errno != EINVAL && errno != EROFS)
			rc = ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
	}
	if (o->tmp && (!ok || rc < 0))
		unlinkat(o->dirfd, o->tmp, 0);
	tmp_release(o->slot);
	out_release(o);
	return ok ? rc : -1;
}

static int write_through(struct out_file *o, const void *data, size_t len, struct ft_err *err)
{
	if (write_all(o->fd, data, len) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", o->path, strerror(errno));
		out_commit(o, false, NULL);
		return -1;
	}
	return out_commit(o, true, err);
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct ft_err *err)
{
	struct out_file o;
	if (out_open(&o, path, mode, err) < 0)
		return -1;
	return write_through(&o, data, len, err);
}

int file_write_atomic_at(int dirfd, const char *dirpath, const char *name,
			 const void *data, size_t len, unsigned mode, struct ft_err *err)
{
	struct out_file o;
	if (out_open_at(&o, dirfd, dirpath, name, mode, err) < 0)
		return -1;
	return write_through(&o, data, len, err);
}

/* Length of the valid UTF-8 sequence at s (1-4), its code point in *cp;
 * 0 when the bytes are not UTF-8 (overlong, surrogate, cut short). */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

const char *ft_utf8_first_bad(const char *s)
{
	uint32_t cp;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_seq(p, &cp);
		if (!n)
			return (const char *)p;
		p += n;
	}
	return NULL;
}

char *ft_utf8_clean(const char *s)
{
	struct strbuf sb = { 0 };
	uint32_t cp;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		size_t n = utf8_seq(p, &cp);
		if (n) {
			sb_append(&sb, (const char *)p, n);
			p += n;
		} else {
			sb_puts(&sb, "\xEF\xBF\xBD");
			p++;
		}
	}
	return sb.data ? sb.data : xstrdup("");
}

bool ft_utf8_valid(const char *s)
{
	return !ft_utf8_first_bad(s);
}

/* Code points that move or hide text without being seen: C1 controls,
 * zero-width and direction marks, embeddings, overrides and isolates, the
 * line and paragraph separators, the byte order mark. */
static bool invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xfeff;
}

bool ft_maybe_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return true;
	return false;
}

char *ft_escape_controls(const char *s)
{
	struct strbuf sb = { 0 };
	sb_append(&sb, "", 0);
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		uint32_t cp;
		size_t n = utf8_seq(p, &cp);
		if (n == 0) {
			sb_printf(&sb, "\\x%02X", *p);
			p++;
			continue;
		}
		if (cp == '\n')
			sb_puts(&sb, "\\n");
		else if (cp == '\r')
			sb_puts(&sb, "\\r");
		else if (cp == '\t')
			sb_puts(&sb, "\\t");
		else if (cp == 0x1b)
			sb_puts(&sb, "\\e");
		else if (cp < 0x20 || cp == 0x7f)
			sb_printf(&sb, "\\x%02X", (unsigned)cp);
		else if (invisible_control(cp))
			sb_printf(&sb, "\\u{%04X}", (unsigned)cp);
		else
			sb_append(&sb, (const char *)p, n);
		p += n;
	}
	return sb.data;
}

double ft_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Hoare's partition around the middle element until k falls between the
 * two sides; everything left of a side is <= the pivot, everything right
 * of it >=, which is what gives the ordering around v[k] on return. */
struct few_slot {
	double a, b;
	uint32_t id;           /* first-seen order */
	bool used;
};

struct few_key {
	double a, b;
	uint32_t id;
};

static int cmp_few_key(const void *x, const void *y)
{
	const struct few_key *p = x, *q = y;
	if (p->a != q->a)
		return p->a > q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b > q->b ? -1 : 1;
	return 0;
}

static bool odd_key(double v)
{
	return isnan(v) || (v == 0 && signbit(v));
}

size_t ft_few_groups(const double *a, const double *b, size_t n, size_t max, uint32_t **groups,
		     double **keys_a, double **keys_b)
{
	size_t slots = 16;
	while (slots < 2 * n && slots < 2 * max)
		slots *= 2;
	struct few_slot *t = xcalloc(slots, sizeof *t);
	struct few_key *k = xmalloc((max ? max : 1) * sizeof *k);
	uint32_t *group = xmalloc((n ? n : 1) * sizeof *group);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double va = a[i], vb = b ? b[i] : 0.0;
		if (odd_key(va) || (b && odd_key(vb)))
			goto fail;
		uint64_t ba, bb;
		memcpy(&ba, &va, sizeof ba);
		memcpy(&bb, &vb, sizeof bb);
		size_t h = (size_t)(((ba ^ (bb * 0xC2B2AE3D27D4EB4FULL)) * 0x9E3779B97F4A7C15ULL) >> 32) &
			(slots - 1);
		while (t[h].used && (t[h].a != va || t[h].b != vb))
			h = (h + 1) & (slots - 1);
		if (!t[h].used) {
			if (m == max || m + 1 > slots / 2)
				goto fail;
			t[h] = (struct few_slot){ va, vb, (uint32_t)m, true };
			k[m] = (struct few_key){ va, vb, (uint32_t)m };
			m++;
		}
		group[i] = t[h].id;
	}
	qsort(k, m, sizeof *k, cmp_few_key);
	/* first-seen numbers to ranks, reusing the slots' ids */
	uint32_t *rank = xmalloc((m ? m : 1) * sizeof *rank);
	double *ka = xmalloc((m ? m : 1) * sizeof *ka);
	double *kb = keys_b ? xmalloc((m ? m : 1) * sizeof *kb) : NULL;
	for (size_t r = 0; r < m; r++) {
		rank[k[r].id] = (uint32_t)r;
		ka[r] = k[r].a;
		if (kb)
			kb[r] = k[r].b;
	}
	for (size_t i = 0; i < n; i++)
		group[i] = rank[group[i]];
	free(rank);
	free(t);
	free(k);
	*groups = group;
	*keys_a = ka;
	if (keys_b)
		*keys_b = kb;
	return m;
fail:
	free(t);
	free(k);
	free(group);
	return SIZE_MAX;
}

double ft_select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
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

/* Step i (n down to 2) swaps v[i - 1] with v[j], j drawn below i. j
 * depends on the generator only, never on v, so each step's j is drawn
 * AHEAD steps early and its cache line fetched while the swaps before it
 * run: on 10 million rows the swaps otherwise wait on memory one at a time
 * (about 3x slower, and growing faster than n). The draws and the swaps
 * keep their order, so the permutation is the one plain Fisher-Yates
 * gives for the same seed. */
bool rng_shuffle(struct ft_rng *r, size_t *v, size_t n, const struct ft_progress *prog)
{
	enum { STRIDE = 4096,     /* swaps between two looks at the cancel flag */
	       AHEAD = 32 };
	size_t ahead[AHEAD];      /* ahead[k % AHEAD]: j of step n - k */
	for (size_t k = 0; k < AHEAD && n - k > 1; k++) {
		ahead[k] = (size_t)rng_below(r, n - k);
		__builtin_prefetch(&v[ahead[k]], 1);
	}
	for (size_t i = n, k = 0; i > 1; i--, k++) {
		if (i % STRIDE == 0 && ft_cancelled(prog))
			return false;
		size_t slot = k % AHEAD;
		size_t j = ahead[slot];
		if (i > AHEAD + 1) {
			ahead[slot] = (size_t)rng_below(r, i - AHEAD);
			__builtin_prefetch(&v[ahead[slot]], 1);
		}
		size_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
	return true;
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

/* log(k!) minus its Stirling form (k + 1/2) log(k + 1) - (k + 1) +
 * log(2 pi) / 2: a table below 10, the series beyond (off by under 1e-10
 * at 10 and less the larger k). */
static double stirling_tail(double k)
{
	static const double small[10] = {
		0.08106146679532733, 0.041340695955409457, 0.027677925684997717,
		0.020790672103765839, 0.016644691189821259, 0.013876128823072875,
		0.011896709945893313, 0.010411265261973668, 0.0092554621827094508,
		0.0083305634333594725,
	};
	if (k < 10)
		return small[(int)k];
	double k1 = k + 1, r2 = 1.0 / (k1 * k1);
	return (1.0 / 12 - (1.0 / 360 - r2 / 1260) * r2) / k1;
}

/* Binomial(n, p) with p <= 1/2 and n p >= 10: Hormann's transformed
 * rejection with decomposition (BTRD). A draw is a uniform pushed through
 * a hat made of a scaled Cauchy-like transform; about 86% are accepted at
 * once, the rest by the exact ratio f(k) / f(m) to the mode, computed by
 * its product when k is near the mode, else from the Stirling forms
 * after a normal squeeze. Expected cost is bounded whatever n and p. */
static uint64_t binomial_btrd(struct ft_rng *r, uint64_t n, double p)
{
	double nd = (double)n, q = 1.0 - p;
	double m = floor((nd + 1) * p), ratio = p / q, nr = (nd + 1) * ratio;
	double npq = nd * p * q, spq = sqrt(npq);
	double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = nd * p + 0.5;
	double alpha = (2.83 + 5.1 / b) * spq, vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
	for (;;) {
		double v = rng_uniform(r), u;
		if (v <= urvr) {
			u = v / vr - 0.43;
			return (uint64_t)floor((2 * a / (0.5 - fabs(u)) + b) * u + c);
		}
		if (v >= vr) {
			u = rng_uniform(r) - 0.5;
		} else {
			u = v / vr - 0.93;
			u = (u < 0 ? -0.5 : 0.5) - u;
			v = rng_uniform(r) * vr;
		}
		double us = 0.5 - fabs(u), kd = floor((2 * a / us + b) * u + c);
		if (kd < 0 || kd > nd)
			continue;
		v = v * alpha / (a / (us * us) + b);
		double km = fabs(kd - m);
		if (km <= 15) {
			/* f(i) / f(i - 1) = nr / i - ratio, multiplied out to the mode */
			double f = 1;
			if (m < kd)
				for (double i = m + 1; i <= kd; i++)
					f *= nr / i - ratio;
			else
				for (double i = kd + 1; i <= m; i++)
					v *= nr / i - ratio;
			if (v <= f)
				return (uint64_t)kd;
			continue;
		}
		v = log(v);
		double rho = km / npq * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
		double t = -km * km / (2 * npq);
		if (v < t - rho)
			return (uint64_t)kd;
		if (v > t + rho)
			continue;
		double nm = nd - m + 1, nk = nd - kd + 1;
		double h = (m + 0.5) * log((m + 1) / (ratio * nm)) + stirling_tail(m) +
			stirling_tail(nd - m);
		if (v <= h + (nd + 1) * log(nm / nk) + (kd + 0.5) * log(nk * ratio / (kd + 1)) -
		    stirling_tail(kd) - stirling_tail(nd - kd))
			return (uint64_t)kd;
	}
}

/* Binomial(n, p), exact in distribution, drawn for the rarer outcome:
 * inversion while n p is small (expected steps about n p), BTRD above. */
uint64_t rng_binomial(struct ft_rng *r, uint64_t n, double p)
{
	if (n == 0 || p <= 0.0)
		return 0;
	if (p >= 1.0)
		return n;
	double pm = p < 0.5 ? p : 1.0 - p;
	uint64_t x;
	if ((double)n * pm >= 10.0) {
		/* past 2^53, (double)n may round above n */
		x = binomial_btrd(r, n, pm);
		if (x > n)
			x = n;
	} else {
		double q = 1.0 - pm, s = pm / q, m = (double)(n + 1) * s;
		double f = pow(q, (double)n), u = rng_uniform(r);
		x = 0;
		while (u > f && x < n) {
			u -= f;
			x++;
			f *= m / (double)x - s;
		}
	}
	return p < 0.5 ? x : n - x;
}

void ft_parallel(void *(*fn)(void *), void *items, size_t size, size_t n)
{
	if (n == 0)
		return;
	pthread_t local[FT_THREADS_MAX];
	pthread_t *tid = n <= FT_THREADS_MAX ? local : xcalloc(n, sizeof *tid);
	bool local_flags[FT_THREADS_MAX];
	bool *started = n <= FT_THREADS_MAX ? local_flags : xcalloc(n, sizeof *started);
	char *base = items;
	for (size_t k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, fn, base + k * size) == 0;
	fn(base);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			fn(base + k * size);   /* no thread to spare: run it here */
	}
	if (tid != local)
		free(tid);
	if (started != local_flags)
		free(started);
}

static void *task_run(void *arg)
{
	struct ft_task *t = arg;
	return t->run(t->arg);
}

void ft_run_tasks(struct ft_task *tasks, size_t n)
{
	ft_parallel(task_run, tasks, sizeof *tasks, n);
}

const char *ft_names_text(char *buf, size_t size, const char *const *names, size_t n,
			  const char *last)
{
	size_t total = n + (last != NULL), o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < total && o < size; k++) {
		const char *sep = k == 0 ? "" : k + 1 == total ? " or " : ", ";
		int w = snprintf(buf + o, size - o, "%s%s", sep, k < n ? names[k] : last);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

int ft_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > FT_THREADS_MAX)
		n = FT_THREADS_MAX;
	return (int)n;
}
