/* predict: stream raw CSV rows through a model's recipe and tree.
 *
 * How: the file is read in blocks (never whole). The header record is read
 * with libcsv. Each block is cut at newlines that lie outside quotes (quote
 * parity counted from the block's start, which is a record boundary) into
 * one piece per thread; each thread parses its piece, applies the recipe,
 * finds each row's leaf and formats its output; the pieces are then written
 * in order. Parsing follows the loader's rules exactly (csv_load.c): lines
 * without a quote or a stray CR are split with memchr, the same result
 * libcsv gives for them; every other line goes through libcsv with no
 * blank trimming. So a scored file reproduces the training-time features.
 *
 * Quote parity is only a guess at where records end (a stray quote inside
 * an unquoted field breaks it). A piece that does not end between records
 * proves the guess wrong, and the rest of the file is then parsed by one
 * parser that keeps its state across blocks: the output never depends on
 * the guess.
 *
 * Invariants: output rows keep input order; every error names the file and
 * the line the record starts on; memory is bounded by the block size and
 * the longest record. */
#include "config.h"
#include "predict.h"

#include "condition.h"
#include "csv_dialect.h"
#include "recipe_apply.h"
#include "strmap.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUOTE CSV_QUOTE
#define CSV_BETWEEN_ROWS 0      /* libcsv's pstate between records */
#define CSV_IN_QUOTED 2         /* libcsv's pstate inside a field (quoted if .quoted) */
enum { BLOCK = CSV_DETECT_BYTES, MAX_PIECES = 16 };

struct out {
	char *p;
	size_t len, cap;
};

struct predictor;

/* One thread's share of a block (or, in sequential mode, of the rest of
 * the file). */
struct piece {
	struct predictor *pr;
	const char *begin, *end;
	bool last;                     /* holds the end of the file */
	struct out out;
	uint64_t rows, flagged;
	uint64_t line;                 /* newlines consumed from begin */
	uint64_t rec_line;             /* line (from begin) the record starts on */
	bool open_record;              /* ended inside a record */
	bool failed;
	uint64_t fail_line;
	struct csv_quote_scan quotes;  /* the open record, for an unterminated quote */
	char fail_msg[160];

	struct csv_parser parser;
	bool parser_ready;
	struct recipe_row_ctx *ctx;
	const char **col;              /* ncols field pointers of the current row */
	const char **fs;               /* field starts of a plain line */
	size_t *len;
	size_t *off;                   /* libcsv path: offsets into rowbuf */
	struct out rowbuf;
	size_t nfield;
	const char **fields;           /* by recipe input */
	size_t *flens;
	bool *missing;                 /* by recipe input, for explanations */
	float *x;
	int32_t *path, *reason;        /* --reasons scratch */
	uint64_t *counts;              /* the tally's counters for this piece */
};

struct predictor {
	const struct model *m;
	const char *in_path;
	bool explain;
	bool leaf;
	unsigned nreasons;
	char (*code)[16];              /* reason code per node */
	size_t path_slots;
	char delim;
	char **names;
	size_t ncols;
	size_t *input_col;             /* recipe input -> CSV column */
	char **leaf_text;              /* per node: score, delimiter, probability */
	size_t *leaf_len;
	bool *leaf_flag;               /* what the threshold reads >= threshold */
	size_t header_line;
	struct out head;               /* the output's header, until written */
	struct predict_tally *tally;
};

/* ---- output ----------------------------------------------------------- */

static void out_reserve(struct out *o, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = xrealloc(o->p, o->cap);
	}
}

static void out_put(struct out *o, const char *s, size_t n)
{
	out_reserve(o, n);
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* A field, quoted when it holds the delimiter, a quote or a line break
 * (blanks are kept as they are, as the loader keeps them). */
static void out_field(struct out *o, const char *s, size_t n, char delim)
{
	bool quote = false;
	for (size_t i = 0; i < n && !quote; i++) {
		char c = s[i];
		quote = c == delim || c == QUOTE || c == '\n' || c == '\r';
	}
	out_reserve(o, 2 * n + 3);
	if (!quote) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
		return;
	}
	o->p[o->len++] = QUOTE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == QUOTE)
			o->p[o->len++] = QUOTE;
		o->p[o->len++] = s[i];
	}
	o->p[o->len++] = QUOTE;
}

/* ---- explanation ------------------------------------------------------ */

char *predict_explain(const struct model *m, const float *x, const bool *missing)
{
	const struct tree *t = m->tree;
	const struct recipe *r = m->recipe;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	/* Walked, not copied into a path array: any depth a model file holds
	 * is explained (the text is the path, one step per level). */
	int32_t at = 0;
	size_t steps = 0;
	for (; t->nnodes && t->nodes[at].left != TREE_LEAF; steps++) {
		const struct tree_node *nd = &t->nodes[at];
		size_t f = (size_t)nd->feature;
		bool left = (double)x[f] <= nd->threshold;
		at = left ? nd->left : nd->right;
		/* a name from the data, shown with its control characters made
		 * visible, like every text a person reads */
		char *esc = ft_maybe_controls(t->feature_names[f]) ?
			    ft_escape_controls(t->feature_names[f]) : NULL;
		const char *name = esc ? esc : t->feature_names[f];
		enum feature_kind kind = f < r->nfeatures ? r->features[f].kind : FEAT_NUMERIC;
		const char *imputed = missing && f < r->nfeatures && kind != FEAT_MISSING &&
				      missing[r->features[f].input] ? " (imputed)" : "";
		if (steps)
			sb_puts(&sb, "; ");
		if (kind == FEAT_ONEHOT && nd->threshold >= 0 && nd->threshold < 1) {
			/* "card=debit" or "card!=debit": what the row's category was. */
			const char *eq = strchr(name, '=');
			if (left && eq)
				sb_printf(&sb, "%.*s!=%s%s", (int)(eq - name), name, eq + 1, imputed);
			else
				sb_printf(&sb, "%s%s%s", left ? "not " : "", name, imputed);
		} else if (kind == FEAT_MISSING && nd->threshold >= 0 && nd->threshold < 1) {
			sb_printf(&sb, "%s=%s", name, left ? "no" : "yes");
		} else {
			sb_printf(&sb, "%s=%.6g%s %s %.6g", name, (double)x[f], imputed,
				  left ? "<=" : ">", nd->threshold);
		}
		free(esc);
	}
	const struct tree_node *leaf = t->nnodes ? &t->nodes[at] : NULL;
	double p = leaf ? tree_node_proba(leaf) : 0;
	sb_printf(&sb, "%s-> %s p=%.3g", steps ? " " : "",
		  leaf && model_leaf_flags(m, leaf) ? "fraud" : "legit", p);
	if (leaf && t->probability_odds != 1.0)
		sb_printf(&sb, " probability=%.3g", tree_node_probability(t, leaf));
	return sb.data;
}

/* ---- one piece -------------------------------------------------------- */

static void piece_fail(struct piece *pc, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void piece_fail(struct piece *pc, uint64_t line, const char *fmt, ...)
{
	if (pc->failed)
		return;
	pc->failed = true;
	pc->fail_line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pc->fail_msg, sizeof pc->fail_msg, fmt, ap);
	va_end(ap);
}

enum predict_cell predict_cell_kind(const struct recipe *r, size_t i, const char *s, size_t n,
				    double *v)
{
	const char *const *na = (const char *const *)r->na_values;
	if (n == 0 || frame_is_na_text(s, n, na, r->nna_values))
		return PREDICT_CELL_NA;
	const struct recipe_input *in = &r->inputs[i];
	if (in->type != COL_CATEGORICAL && !recipe_parse_value(in, s, n, v))
		return PREDICT_CELL_UNPARSED;
	return PREDICT_CELL_VALUE;
}

/* Which raw inputs of the current row were missing, for explanations. */
static void input_missing(struct piece *pc)
{
	const struct recipe *r = pc->pr->m->recipe;
	for (size_t i = 0; i < r->ninputs; i++) {
		double v;
		pc->missing[i] = predict_cell_kind(r, i, pc->fields[i], pc->flens[i], &v) !=
				 PREDICT_CELL_VALUE;
	}
}

/* The current row is complete in col/len: score it and format it. `raw`
 * is the row's text when it needs no quoting (a line split without libcsv),
 * copied as it is; else NULL and each field is re-quoted as needed. */
static void piece_row(struct piece *pc, const char *raw, size_t rawlen)
{
	struct predictor *pr = pc->pr;
	if (pc->failed)
		return;
	if (pc->nfield != pr->ncols) {
		char msg[80];
		csv_fields_message(msg, sizeof msg, pr->ncols, pc->nfield);
		piece_fail(pc, pc->rec_line, "%s", msg);
		return;
	}
	const struct recipe *r = pr->m->recipe;
	for (size_t i = 0; i < r->ninputs; i++) {
		size_t c = pr->input_col[i];
		pc->fields[i] = c == SIZE_MAX ? NULL : pc->col[c];
		pc->flens[i] = c == SIZE_MAX ? 0 : pc->len[c];
	}
	recipe_apply_row(pc->ctx, pc->fields, pc->flens, pc->x);
	int32_t leaf = tree_leaf(pr->m->tree, pc->x);
	if (pr->tally) {
		pr->tally->row(pr->tally->ctx, pc->counts, pc->fields, pc->flens, leaf);
		pc->flagged += pr->leaf_flag[leaf];
		pc->rows++;
		return;
	}
	struct out *o = &pc->out;
	if (raw) {
		out_reserve(o, rawlen + 1);
		memcpy(o->p + o->len, raw, rawlen);
		o->len += rawlen;
		o->p[o->len++] = pr->delim;
	} else {
		for (size_t c = 0; c < pr->ncols; c++) {
			out_field(o, pc->col[c], pc->len[c], pr->delim);
			o->p[o->len++] = pr->delim;     /* out_field reserved room for it */
		}
	}
	if (pr->leaf) {
		char id[16];
		int n = snprintf(id, sizeof id, "%d", (int)leaf);
		out_put(o, id, (size_t)n);
		out_put(o, &pr->delim, 1);
	}
	out_put(o, pr->leaf_text[leaf], pr->leaf_len[leaf]);
	out_reserve(o, 4);
	o->p[o->len++] = pr->delim;
	o->p[o->len++] = pr->leaf_flag[leaf] ? '1' : '0';
	if (pr->nreasons) {
		size_t k = condition_reasons(pr->m->recipe, pr->m->tree, pc->x, pr->nreasons, pc->path, pr->path_slots,
					     pc->reason);
		for (size_t i = 0; i < pr->nreasons; i++) {
			out_put(o, &pr->delim, 1);
			if (i < k)
				out_put(o, pr->code[pc->reason[i]], strlen(pr->code[pc->reason[i]]));
		}
	}
	if (pr->explain) {
		input_missing(pc);
		char *why = predict_explain(pr->m, pc->x, pc->missing);
		out_put(o, &pr->delim, 1);
		out_field(o, why, strlen(why), pr->delim);
		free(why);
	}
	out_put(o, "\n", 1);
	pc->flagged += pr->leaf_flag[leaf];
	pc->rows++;
}

static void cb_field(void *s, size_t n, void *data)
{
	struct piece *pc = data;
	size_t k = pc->nfield++;
	if (k >= pc->pr->ncols)
		return;
	pc->off[k] = pc->rowbuf.len;
	pc->len[k] = n;
	out_put(&pc->rowbuf, s ? s : "", n);
}

static void cb_row(int c, void *data)
{
	struct piece *pc = data;
	(void)c;
	size_t n = pc->nfield < pc->pr->ncols ? pc->nfield : pc->pr->ncols;
	for (size_t k = 0; k < n; k++)
		pc->col[k] = pc->rowbuf.p + pc->off[k];
	piece_row(pc, NULL, 0);
	pc->nfield = 0;
	pc->rowbuf.len = 0;
	/* After a lone CR the next record starts on the same line. */
	pc->rec_line = pc->line;
}

static void piece_init(struct piece *pc, struct predictor *pr)
{
	memset(pc, 0, sizeof *pc);
	pc->pr = pr;
	size_t nc = pr->ncols, ni = pr->m->recipe->ninputs + 1;
	pc->col = xcalloc(nc, sizeof *pc->col);
	pc->len = xcalloc(nc, sizeof *pc->len);
	pc->off = xcalloc(nc, sizeof *pc->off);
	pc->fields = xcalloc(ni, sizeof *pc->fields);
	pc->flens = xcalloc(ni, sizeof *pc->flens);
	pc->missing = xcalloc(ni, sizeof *pc->missing);
	pc->x = xcalloc(pr->m->recipe->nfeatures + 1, sizeof *pc->x);
	pc->ctx = recipe_row_ctx_new(pr->m->recipe);
	pc->path = xcalloc(pr->path_slots + 1, sizeof *pc->path);
	pc->reason = xcalloc(pr->nreasons + 1, sizeof *pc->reason);
	if (pr->tally)
		pc->counts = xcalloc(pr->tally->ncounts + 1, sizeof *pc->counts);
}

static void piece_clear_counts(struct piece *pc)
{
	if (pc->counts)
		memset(pc->counts, 0, pc->pr->tally->ncounts * sizeof *pc->counts);
}

static void piece_reset(struct piece *pc)
{
	if (pc->parser_ready)
		csv_free(&pc->parser);
	pc->parser_ready = csv_parser_init(&pc->parser, pc->pr->delim) == 0;
	pc->out.len = 0;
	pc->rows = pc->flagged = 0;
	piece_clear_counts(pc);
	pc->line = pc->rec_line = 0;
	pc->open_record = false;
	pc->nfield = 0;
	pc->rowbuf.len = 0;
}

static void piece_free(struct piece *pc)
{
	if (pc->parser_ready)
		csv_free(&pc->parser);
	free(pc->col);
	free(pc->fs);
	free(pc->len);
	free(pc->off);
	free(pc->fields);
	free(pc->flens);
	free(pc->missing);
	free(pc->x);
	free(pc->path);
	free(pc->reason);
	free(pc->counts);
	free(pc->out.p);
	free(pc->rowbuf.p);
	recipe_row_ctx_free(pc->ctx);
}

/* Parse and score [begin, end). The parser's state carries over between
 * calls unless piece_reset is called. */
static void *piece_run(void *arg)
{
	struct piece *pc = arg;
	struct predictor *pr = pc->pr;
	const char *p = pc->begin, *end = pc->end;
	char delim = pr->delim;
	if (!pc->fs)
		pc->fs = xcalloc(pr->ncols, sizeof *pc->fs);
	if (!pc->parser_ready) {
		piece_fail(pc, pc->line, "out of memory");
		return NULL;
	}
	/* The loader's order of errors: a NUL byte is reported when the line
	 * holding it is reached. */
	const char *nul = memchr(p, '\0', (size_t)(end - p));
	while (p < end && !pc->failed) {
		bool between = pc->parser.pstate == CSV_BETWEEN_ROWS && pc->nfield == 0;
		struct csv_line ln;
		if (between && csv_scan_line(p, end, delim, pc->fs, pr->ncols, &ln) &&
		    (ln.newline || pc->last)) {
			if (nul && nul < ln.next) {
				piece_fail(pc, pc->line, CSV_NUL_MESSAGE);
				break;
			}
			if (ln.e > p) {
				pc->rec_line = pc->line;
				for (size_t k = 0; k < ln.nf; k++) {
					pc->col[k] = pc->fs[k];
					pc->len[k] = (size_t)((k + 1 < ln.nf ? pc->fs[k + 1] - 1 : ln.e) -
							      pc->fs[k]);
				}
				pc->nfield = ln.nf;
				piece_row(pc, p, (size_t)(ln.e - p));
				pc->nfield = 0;
			}
			pc->line += ln.newline;
			p = ln.next;
			continue;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		if (nul && nul < next) {
			piece_fail(pc, pc->line, CSV_NUL_MESSAGE);
			break;
		}
		if (between) {
			pc->rec_line = pc->line;
			csv_quote_start(&pc->quotes, (size_t)pc->line);
		}
		csv_quote_feed(&pc->quotes, p, next, delim);
		if (csv_parse(&pc->parser, p, (size_t)(next - p), cb_field, cb_row, pc) !=
		    (size_t)(next - p))
			piece_fail(pc, pc->rec_line, "%s", csv_strerror(csv_error(&pc->parser)));
		if (nl)
			pc->line++;
		p = next;
	}
	if (pc->failed)
		return NULL;
	if (pc->parser.pstate != CSV_BETWEEN_ROWS || pc->nfield) {
		if (!pc->last) {
			pc->open_record = true;
			return NULL;
		}
		size_t qline;
		if (csv_quote_open(&pc->quotes, &qline))
			piece_fail(pc, qline, CSV_UNTERMINATED_MESSAGE);
		else
			csv_fini(&pc->parser, cb_field, cb_row, pc);
	}
	return NULL;
}

/* ---- header ----------------------------------------------------------- */

/* Map recipe inputs to header columns, by the names the loader gives the
 * same header; name every missing one. */
static int map_header(struct predictor *pr, struct ft_err *err)
{
	const struct recipe *r = pr->m->recipe;
	pr->input_col = xcalloc(r->ninputs + 1, sizeof *pr->input_col);
	struct strbuf missing = { 0 };
	size_t nmissing = 0;
	char **names = csv_unique_names(pr->names, pr->ncols, NULL);
	struct strmap cols = { .borrow = true };
	for (size_t c = 0; c < pr->ncols; c++)
		strmap_add(&cols, names[c], strlen(names[c]), c, NULL);
	bool absent_ok = pr->tally && pr->tally->absent_ok;
	for (size_t i = 0; i < r->ninputs; i++) {
		const char *want = r->inputs[i].name;
		if (strmap_get(&cols, want, strlen(want), &pr->input_col[i]))
			continue;
		pr->input_col[i] = SIZE_MAX;
		if (!absent_ok)
			sb_printf(&missing, "%s%s", nmissing++ ? ", " : "", want);
	}
	strmap_free(&cols);
	if (pr->tally) {
		pr->tally->columns = names;
		pr->tally->ncolumns = pr->ncols;
	} else {
		for (size_t c = 0; c < pr->ncols; c++)
			free(names[c]);
		free(names);
	}
	if (nmissing) {
		/* a header read as one column: most likely another delimiter
		 * than the model's (predict reads the training file's) */
		char d[8];
		if (pr->delim == '\t')
			snprintf(d, sizeof d, "TAB");
		else
			snprintf(d, sizeof d, "'%c'", pr->delim);
		char *hint = pr->ncols == 1 && nmissing == r->ninputs && r->ninputs > 1 ?
			xasprintf(" (the header is one column when split at %s, the model's "
				  "delimiter; give the file's with --delimiter)", d) : xstrdup("");
		ft_fail(err, FT_EINPUT, "%s:%zu: missing required column%s%s: %s", pr->in_path,
			pr->header_line, nmissing > 1 ? "s" : "", hint, missing.data);
		free(hint);
		sb_free(&missing);
		return -1;
	}
	return 0;
}

/* The output's header line, kept until the first rows go out: a file that
 * fails before any row is scored writes nothing. */
static void make_header(struct predictor *pr)
{
	struct out *o = &pr->head;
	for (size_t c = 0; c < pr->ncols; c++) {
		out_field(o, pr->names[c], strlen(pr->names[c]), pr->delim);
		out_put(o, &pr->delim, 1);
	}
	if (pr->leaf) {
		out_put(o, "fraud_leaf", 10);
		out_put(o, &pr->delim, 1);
	}
	out_put(o, "fraud_score", 11);
	out_put(o, &pr->delim, 1);
	out_put(o, "fraud_probability", 17);
	out_put(o, &pr->delim, 1);
	out_put(o, "prediction", 10);
	for (unsigned i = 0; i < pr->nreasons; i++) {
		char name[32];
		int n = snprintf(name, sizeof name, "%creason_%u", pr->delim, i + 1);
		out_put(o, name, (size_t)n);
	}
	if (pr->explain) {
		out_put(o, &pr->delim, 1);
		out_put(o, "decision_path", 13);
	}
	out_put(o, "\n", 1);
}

/* ---- cutting blocks --------------------------------------------------- */

/* Just after the last newline in [p, end) with even quote parity from p,
 * or NULL. */
static const char *last_boundary(const char *p, const char *end)
{
	size_t q = csv_count_quotes(p, end);
	const char *e = end;
	while (e > p) {
		const char *nl = memrchr(p, '\n', (size_t)(e - p));
		if (!nl)
			return NULL;
		q -= csv_count_quotes(nl + 1, e);
		if (q % 2 == 0)
			return nl + 1;
		e = nl;
	}
	return NULL;
}

/* Just after the first newline at or after `from` with even quote parity
 * counted from p (parity of [p, from) given), or end. */
static const char *next_boundary(const char *from, const char *end, size_t parity)
{
	for (const char *s = from; s < end; s++) {
		if (*s == QUOTE)
			parity++;
		else if (*s == '\n' && parity % 2 == 0)
			return s + 1;
	}
	return end;
}

/* ---- driver ----------------------------------------------------------- */

static void predictor_free(struct predictor *pr)
{
	for (size_t i = 0; pr->names && i < pr->ncols; i++)
		free(pr->names[i]);
	free(pr->names);
	free(pr->input_col);
	if (pr->leaf_text)
		for (size_t i = 0; i < pr->m->tree->nnodes; i++)
			free(pr->leaf_text[i]);
	free(pr->leaf_text);
	free(pr->leaf_len);
	free(pr->leaf_flag);
	free(pr->code);
	free(pr->head.p);
}

struct reader {
	int fd;
	char *buf;
	size_t len, cap;      /* bytes held, from buf */
	bool eof;
	uint64_t done, total;
};

/* Fill the buffer to at least `want` bytes (growing it when needed) or EOF. */
static int reader_fill(struct reader *rd, size_t want, const char *path, struct ft_err *err)
{
	if (want > rd->cap) {
		rd->cap = want;
		rd->buf = xrealloc(rd->buf, rd->cap);
	}
	while (!rd->eof && rd->len < want) {
		ssize_t n = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		}
		if (n == 0)
			rd->eof = true;
		rd->len += (size_t)n;
		rd->done += (uint64_t)n;
	}
	return 0;
}

static void reader_consume(struct reader *rd, size_t n)
{
	memmove(rd->buf, rd->buf + n, rd->len - n);
	rd->len -= n;
}

/* Read the header record (the buffer grows until it holds it); returns
 * the number of lines it took in *lines. */
static int read_header(struct predictor *pr, struct reader *rd, const struct predict_options *opt,
		       uint64_t *lines, struct ft_err *err)
{
	if (reader_fill(rd, BLOCK, pr->in_path, err) < 0)
		return -1;
	size_t bom = csv_bom(rd->buf, rd->len);
	char delim = opt && opt->delimiter ? opt->delimiter : pr->m->recipe->delimiter;
	if (!delim)
		delim = csv_detect_delimiter(rd->buf + bom, rd->buf + rd->len, NULL);
	pr->delim = delim;
	struct csv_header h;
	int rc;
	while ((rc = csv_header_read(pr->in_path, rd->buf, rd->len, bom, rd->eof, delim, &h, err)) ==
	       CSV_HEADER_MORE) {
		/* Read on to the next line end before parsing again: a long
		 * header line is parsed about once, not once per doubling. */
		size_t scanned;
		do {
			scanned = rd->len;
			if (reader_fill(rd, rd->cap * 2, pr->in_path, err) < 0)
				return -1;
		} while (!rd->eof && !memchr(rd->buf + scanned, '\n', rd->len - scanned));
	}
	if (rc < 0)
		return -1;
	pr->names = h.raw;
	pr->ncols = h.n;
	pr->header_line = h.line;
	*lines = h.next_line - 1;
	reader_consume(rd, h.end);
	return 0;
}

static int threads_for(size_t n)
{
	int t = ft_threads();
	if (t > MAX_PIECES)
		t = MAX_PIECES;
	/* Tiny blocks are not worth a thread. */
	while (t > 1 && n / (size_t)t < 64 * 1024)
		t--;
	return t;
}

int predict_csv(const struct model *m, const char *in_path, int out_fd,
		const char *out_name, const struct predict_options *opt,
		struct predict_stats *stats, struct ft_err *err)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	out_name = out_name ? out_name : "output";
	struct reader rd = { 0 };
	rd.fd = open(in_path, O_RDONLY | O_CLOEXEC);
	if (rd.fd < 0)
		return ft_fail(err, FT_EIO, "%s: %s", in_path, strerror(errno));
	struct stat st;
	rd.total = fstat(rd.fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;

	struct predictor pr = { 0 };
	pr.m = m;
	pr.in_path = in_path;
	pr.explain = opt && opt->explain;
	pr.leaf = opt && opt->leaf;
	pr.nreasons = opt ? opt->reasons : 0;
	pr.tally = opt ? opt->tally : NULL;
	if (pr.tally) {
		pr.tally->columns = NULL;
		pr.tally->ncolumns = 0;
		pr.tally->total = xcalloc(pr.tally->ncounts + 1, sizeof *pr.tally->total);
	}
	pr.path_slots = (size_t)tree_depth(m->tree) + 1;
	pr.code = xcalloc(m->tree->nnodes + 1, sizeof *pr.code);
	for (size_t i = 0; i < m->tree->nnodes; i++)
		condition_code(pr.code[i], (int32_t)i);
	struct piece pieces[MAX_PIECES];
	size_t npieces = 0;
	int rc = -1;
	uint64_t lines = 0;   /* lines before the current block */
	uint64_t rows = 0, flagged = 0;
	bool sequential = false;

	if (read_header(&pr, &rd, opt, &lines, err) < 0 || map_header(&pr, err) < 0)
		goto out;
	make_header(&pr);
	const struct tree *t = m->tree;
	pr.leaf_text = xcalloc(t->nnodes, sizeof *pr.leaf_text);
	pr.leaf_len = xcalloc(t->nnodes, sizeof *pr.leaf_len);
	pr.leaf_flag = xcalloc(t->nnodes, sizeof *pr.leaf_flag);
	for (size_t i = 0; i < t->nnodes; i++) {
		char score[32], prob[32];
		fmt_double(score, tree_node_proba(&t->nodes[i]));
		fmt_double(prob, tree_node_probability(t, &t->nodes[i]));
		pr.leaf_text[i] = xasprintf("%s%c%s", score, pr.delim, prob);
		pr.leaf_len[i] = strlen(pr.leaf_text[i]);
		pr.leaf_flag[i] = model_leaf_flags(m, &t->nodes[i]);
	}
	int nthreads = ft_threads() < MAX_PIECES ? ft_threads() : MAX_PIECES;
	for (int i = 0; i < nthreads; i++)
		piece_init(&pieces[npieces++], &pr);

	for (;;) {
		if (reader_fill(&rd, BLOCK, in_path, err) < 0)
			goto out;
		if (rd.len == 0 && rd.eof && !sequential)
			break;
		const char *start = rd.buf, *end = rd.buf + rd.len;
		size_t used = 0, np = 1;
		if (sequential) {
			/* One parser whose state spans blocks. */
			struct piece *pc = &pieces[0];
			pc->begin = start;
			pc->end = end;
			pc->last = rd.eof;
			pc->out.len = 0;
			pc->rows = pc->flagged = 0;
			piece_clear_counts(pc);
			piece_run(pc);
			used = rd.len;
		} else {
			const char *stop = rd.eof ? end : last_boundary(start, end);
			if (!stop) {
				/* A record longer than the buffer: read more. */
				if (reader_fill(&rd, rd.cap * 2, in_path, err) < 0)
					goto out;
				continue;
			}
			used = (size_t)(stop - start);
			np = (size_t)threads_for(used);
			const char *b = start;
			size_t parity = 0;
			for (size_t k = 0; k < np; k++) {
				const char *e = stop;
				if (k + 1 < np) {
					const char *target = start + used * (k + 1) / np;
					if (target < b)
						target = b;
					parity += csv_count_quotes(b, target);
					e = next_boundary(target, stop, parity);
					parity += csv_count_quotes(target, e);
				}
				struct piece *pc = &pieces[k];
				piece_reset(pc);
				pc->begin = b;
				pc->end = e;
				pc->last = rd.eof && k + 1 == np;
				b = e;
			}
			ft_parallel(piece_run, pieces, sizeof *pieces, np);
		}
		/* Check in order; write what is proven right. */
		bool redo = false;
		for (size_t k = 0; k < np; k++) {
			struct piece *pc = &pieces[k];
			if (pc->failed) {
				ft_fail(err, FT_EINPUT, "%s:%llu: %s", in_path,
					(unsigned long long)(lines + pc->fail_line + 1), pc->fail_msg);
				goto out;
			}
			if (pc->open_record && !sequential) {
				redo = true;
				break;
			}
			if (pr.tally) {
				for (size_t c = 0; c < pr.tally->ncounts; c++)
					pr.tally->total[c] += pc->counts[c];
			} else if (pc->rows && pr.head.len) {
				if (write_all(out_fd, pr.head.p, pr.head.len) < 0) {
					ft_fail(err, FT_EIO, "%s: %s", out_name, strerror(errno));
					goto out;
				}
				pr.head.len = 0;
			}
			if (!pr.tally && write_all(out_fd, pc->out.p, pc->out.len) < 0) {
				ft_fail(err, FT_EIO, "%s: %s", out_name, strerror(errno));
				goto out;
			}
			rows += pc->rows;
			flagged += pc->flagged;
			if (!sequential)
				lines += pc->line;
			else
				lines = 0;
		}
		if (redo) {
			/* The quote guess failed somewhere in this block: from the
			 * first unproven piece on, one parser reads the rest. */
			size_t k = 0;
			while (!pieces[k].open_record)
				k++;
			used = (size_t)(pieces[k].begin - start);
			sequential = true;
			piece_reset(&pieces[0]);
			pieces[0].line = lines;
			lines = 0;
		}
		reader_consume(&rd, used);
		if (opt) {
			ft_progress_report(&opt->progress, "predict", rd.done - rd.len, rd.total);
			if (ft_cancelled(&opt->progress)) {
				ft_fail(err, FT_ECANCELLED, "cancelled");
				goto out;
			}
		}
		if (rd.eof && (rd.len == 0 || sequential) && !redo)
			break;
	}
	if (rows == 0) {
		ft_fail(err, FT_EINPUT, "%s:%zu: " CSV_HEADER_ONLY_MESSAGE, in_path, pr.header_line);
		goto out;
	}
	rc = 0;
	if (stats) {
		stats->rows = rows;
		stats->flagged = flagged;
	}
out:
	for (size_t i = 0; i < npieces; i++)
		piece_free(&pieces[i]);
	predictor_free(&pr);
	free(rd.buf);
	close(rd.fd);
	return rc;
}
