/* util: error causes, checked allocation, small string and file helpers
 * shared by every engine module. Nothing here prints or exits. */
#ifndef FT_UTIL_H
#define FT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>

/* Error kinds; the front ends map them to exit status (all errors are 2). */
enum ft_code {
	FT_OK = 0,
	FT_EINPUT,      /* bad data or settings from the user: "file:line: msg" */
	FT_EIO,         /* the system refused (open, write, rename...) */
	FT_ECANCELLED,  /* the caller's cancel flag was raised */
	FT_ENOMEM,
	FT_EINTERNAL,
	FT_EREFUSED     /* a rule the user set refused it (a group's policy) */
};

/* Where a failure happened and why, in one line ("data.csv:12: expected 5
 * fields, found 6"). Callers own it, usually on the stack. */
struct ft_err {
	enum ft_code code;
	char msg[1024];
};

/* Set err (if non-NULL) and return -1 so callers can `return ft_fail(...)`. */
int ft_fail(struct ft_err *err, enum ft_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ft_err_clear(struct ft_err *err);

/* Progress and cancellation shared by long engine calls. `progress` may be
 * NULL; it is called from worker threads, so it must be thread-safe. `cancel`
 * may be NULL; a nonzero value asks the call to stop soon with FT_ECANCELLED. */
struct ft_progress {
	void (*fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);
	void *ctx;
	const atomic_int *cancel;
};
void ft_progress_report(const struct ft_progress *p, const char *stage,
			uint64_t done, uint64_t total);
bool ft_cancelled(const struct ft_progress *p);

/* Allocation that never returns NULL: on failure it calls the hook that the
 * front end installed (restore the terminal, save history), says "fraudtree:
 * out of memory" on standard error and ends the process with status 2. */
void ft_set_oom_hook(void (*hook)(void));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);            /* caller frees */
char *xstrndup(const char *s, size_t n); /* caller frees */
char *xasprintf(const char *fmt, ...)    /* caller frees */
	__attribute__((format(printf, 1, 2)));

/* Growable byte buffer. */
struct strbuf {
	char *data;
	size_t len, cap;
};
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_free(struct strbuf *sb);

/* Doubles written so they read back exactly, in the C locale ("%.17g",
 * shortest form that round-trips; "nan"/"inf" never appear in files). */
void fmt_double(char buf[32], double v);

/* Read a whole text file into memory (NUL-terminated); caller frees. A NUL
 * byte in the file is an error naming its line (FT_EINPUT). */
char *file_read_all(const char *path, size_t *len, struct ft_err *err);
/* The same for any bytes (NUL allowed, still NUL-terminated); caller frees. */
char *file_read_bytes(const char *path, size_t *len, struct ft_err *err);

/* write(2) until all `len` bytes are out, retrying on EINTR; -1 with errno
 * set on failure. */
int write_all(int fd, const void *data, size_t len);

/* Read an open descriptor to its end (NUL allowed, NUL-terminated); `name`
 * is for messages. Caller frees. The descriptor stays open. */
char *fd_read_bytes(int fd, const char *name, size_t *len, struct ft_err *err);

/* 64 unpredictable bits (getrandom, else /dev/urandom, else the clock and
 * the pid), for names that another user must not be able to guess. */
uint64_t ft_random64(void);

/* An output file that appears whole or not at all, never written through a
 * link. out_open refuses a path that is a symbolic link, a directory or a
 * block device or socket; it writes a character device or a pipe in place
 * (renaming over /dev/null would replace the device), and anything else
 * through a temporary "NAME.tmp.<16 random hex digits>" created beside it
 * with O_EXCL | O_NOFOLLOW. out_commit flushes and renames the temporary
 * into place (ok) or removes it (!ok); it always releases the struct and
 * returns -1 with err on failure. out_open_at does the same for `name` in
 * an open directory (dirpath is for messages; the descriptor is borrowed
 * and must stay open until out_commit), for files that must be regular
 * (the registry's): anything else in name's place is refused. */
struct out_file {
	int fd;
	int dirfd;    /* holds path; owned unless borrowed */
	bool own_dirfd;
	char *path;   /* owned copy, for messages */
	char *name;   /* the final name in dirfd */
	char *tmp;    /* the temporary's name in dirfd, NULL when in place */
	int slot;     /* in the table out_remove_temporaries reads, or -1 */
};
int out_open(struct out_file *o, const char *path, unsigned mode, struct ft_err *err);
int out_open_at(struct out_file *o, int dirfd, const char *dirpath, const char *name,
		unsigned mode, struct ft_err *err);
int out_commit(struct out_file *o, bool ok, struct ft_err *err);

/* Remove every temporary that out_open made and out_commit has not yet
 * renamed or removed. Async-signal-safe: the front end's SIGINT/SIGTERM
 * handler calls it so that an interrupted writer leaves no OUT.tmp.*. */
void out_remove_temporaries(void);

/* Test builds: FRAUDTREE_PAUSE=POINT:MS sleeps MS ms at POINT; else nothing. */
void ft_test_pause(const char *point);

/* Write `len` bytes to `path` (or to `name` in the open directory dirfd)
 * atomically: temporary file as out_open makes it, fsync, rename, fsync of
 * the directory. `mode` before umask. */
int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct ft_err *err);
int file_write_atomic_at(int dirfd, const char *dirpath, const char *name,
			 const void *data, size_t len, unsigned mode, struct ft_err *err);

/* Text from data (feature names, reasons, user names, descriptions) made
 * safe to print on a terminal: control characters (C0, DEL, C1) and
 * invisible direction/format marks become visible escapes (\n, \r, \t,
 * \e, \xHH, \u{HHHH}); bytes that are not UTF-8 become \xHH. Everything
 * else, including valid non-ASCII text, is kept. Caller frees. */
char *ft_escape_controls(const char *s);
/* Whether s is UTF-8 throughout (no stray, overlong, surrogate or cut
 * sequence): what text in a JSON file other programs read must be. */
bool ft_utf8_valid(const char *s);
/* The first byte of s that starts no UTF-8 sequence, or NULL. */
const char *ft_utf8_first_bad(const char *s);
/* s with every byte that starts no UTF-8 sequence replaced by U+FFFD, for
 * text a report shows (not data read back). Caller frees. */
char *ft_utf8_clean(const char *s);
/* Whether s might need ft_escape_controls: a byte below 0x20, DEL, or any
 * non-ASCII byte (cheap, for hot paths that escape only when needed). */
bool ft_maybe_controls(const char *s);

/* The k-th smallest (k from 0) of v[0..n), n > k, in linear expected time:
 * v is reordered so that v[0..k) <= v[k] <= v(k..n). No NaN in v. */
double ft_select_kth(double *v, size_t n, size_t k);

/* Rows grouped by their key (a[i], b[i]) (b NULL: a[i] alone), for the
 * scores a tree gives (one per leaf): counting per group and sorting only
 * the groups is a pass over the rows instead of a sort of them. Returns
 * the number of groups m with *group (n entries: each row's group number)
 * and *keys_a (and, when keys_b is not NULL, *keys_b) (m entries, the keys
 * in descending order by a, then b), all for the caller to free; or
 * SIZE_MAX (nothing allocated) past max groups or on a NaN or -0, which
 * equals +0 but a sort orders its own way: the caller then sorts. */
size_t ft_few_groups(const double *a, const double *b, size_t n, size_t max, uint32_t **group,
		     double **keys_a, double **keys_b);

/* Monotonic seconds, for stage timings. */
double ft_now(void);

/* Deterministic PRNG (splitmix64 seeding xoshiro256**), same stream on every
 * platform for a given seed. */
struct ft_rng {
	uint64_t s[4];
};
void rng_seed(struct ft_rng *r, uint64_t seed);
uint64_t rng_next(struct ft_rng *r);
double rng_uniform(struct ft_rng *r);            /* [0, 1) */
uint64_t rng_below(struct ft_rng *r, uint64_t n); /* [0, n), unbiased */
double rng_normal(struct ft_rng *r);
uint64_t rng_binomial(struct ft_rng *r, uint64_t n, double p); /* exact in distribution */
/* Fisher-Yates shuffle of v[0..n), looking at prog's cancel flag every few
 * thousand swaps; false when cancelled part way (v is then partly shuffled). */
bool rng_shuffle(struct ft_rng *r, size_t *v, size_t n, const struct ft_progress *prog);

/* The most threads any stage starts; also the upper bound of tree.threads.
 * FT_STR(FT_THREADS_MAX) is its decimal text, for messages. */
#define FT_THREADS_MAX 64
#define FT_STR_(x) #x
#define FT_STR(x) FT_STR_(x)

/* Number of worker threads to use (online CPUs, at least 1, at most
 * FT_THREADS_MAX). */
int ft_threads(void);

/* A vocabulary's names for a message, "a, b, c or d" (with `last`, when
 * not NULL, as the final choice: "a, b or null"), into buf; returns buf. */
const char *ft_names_text(char *buf, size_t size, const char *const *names, size_t n,
			  const char *last);

/* The engine's one way to fan work out to threads: fn(items + k * size)
 * for each k in [0, n), item 0 on the calling thread and each other item
 * on a thread of its own; an item whose thread cannot start runs on the
 * calling thread instead, so every item runs exactly once whatever the
 * system allows. Returns when all have finished. Workers that take their
 * work from one shared queue pass size 0 (every item is the same arg) and
 * n = the number of workers: a worker that finds the queue drained simply
 * returns. */
void ft_parallel(void *(*fn)(void *), void *items, size_t size, size_t n);
/* Different work at once: each tasks[k].run(tasks[k].arg), task 0 on the
 * calling thread, as ft_parallel runs items. */
struct ft_task {
	void *(*run)(void *);
	void *arg;
};
void ft_run_tasks(struct ft_task *tasks, size_t n);

#endif
