/* card: a registered version's model card, as one self-contained HTML file
 * or as Markdown.
 *
 * Everything shown comes from the registry's own readers (registry_show,
 * the group listing, the model) and from the data file itself only when
 * its sha256 still matches the manifest. Numbers are written as
 * `registry show --json` writes them (shortest round-trip), so a reader can
 * match the card against the JSON character for character. The tree is
 * drawn here as SVG: no program is needed to view it. */
#include "config.h"
#include "card.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "condition.h"
#include "csv_load.h"
#include "frame.h"
#include "metrics.h"
#include "registry.h"
#include "sha256.h"

static const char *const format_names[CARD_FORMAT_COUNT] = { "html", "md" };

const char *card_format_name(enum card_format f)
{
	return f < CARD_FORMAT_COUNT ? format_names[f] : "?";
}

bool card_format_parse(const char *s, enum card_format *out)
{
	for (int f = 0; f < CARD_FORMAT_COUNT; f++)
		if (!strcmp(s, format_names[f])) {
			*out = (enum card_format)f;
			return true;
		}
	return false;
}

enum { FOLD_DEPTH = 3, BOX_W = 190, BOX_H = 62, SLOT_W = 206, ROW_H = 96, LINE_CHARS = 30 };

/* Tables whose rows are named stack on a narrow screen (see the CSS). */
struct card {
	enum card_format f;
	struct strbuf sb;
	/* HTML: the open table's column titles, each cell's label when the
	 * table is stacked on a narrow screen (NULL: not stacked) */
	const char *const *cols;
};


/* ---- text ------------------------------------------------------------- */

/* Text from data or from people (names, values, the description, users,
 * reasons) reaches a card with its control characters made visible
 * (ft_escape_controls), as on a terminal: a card read with cat, or pasted
 * into a review, can hold no escape sequence. */
static void put_html(struct strbuf *sb, const char *raw)
{
	char *s = ft_escape_controls(raw ? raw : "");
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': sb_puts(sb, "&amp;"); break;
		case '<': sb_puts(sb, "&lt;"); break;
		case '>': sb_puts(sb, "&gt;"); break;
		case '"': sb_puts(sb, "&quot;"); break;
		case '\'': sb_puts(sb, "&#39;"); break;
		default: sb_append(sb, p, 1); break;
		}
	}
	free(s);
}

/* A cell of a stacked table: a line may break after a comma (a JSON list
 * of settings), so nothing else, a number least of all, has to. */
static void put_html_cell(struct strbuf *sb, const char *s)
{
	for (const char *p = s; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) + 1 : strlen(p);
		char *part = xasprintf("%.*s", (int)n, p);
		put_html(sb, part);
		free(part);
		if (comma && comma[1])
			sb_puts(sb, "<wbr>");
		p += n;
	}
}

/* Text from data or people in Markdown: read as text, never as markup.
 * Control characters are made visible first (ft_escape_controls), so the
 * text is one line. A backslash before every character that can open
 * inline markup (emphasis, code, links and images, strikethrough, an
 * entity, a table cell's end) keeps it literal, as CommonMark's backslash
 * escapes promise; '<' becomes &lt; (no raw HTML, no autolink). An
 * underscore between two letters or digits opens nothing and stays bare,
 * so feature names read as they are. At the start of a block (a paragraph,
 * a list item) the text also cannot begin a heading, quote, list, rule or
 * code block: its first character is escaped when it could, and leading
 * blanks are written as entities. */
static bool md_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (unsigned char)c >= 0x80;
}

static void put_md_text(struct strbuf *sb, const char *raw, bool block)
{
	char *s = ft_escape_controls(raw ? raw : "");
	const char *p = s;
	if (block) {
		for (; *p == ' '; p++)
			sb_puts(sb, "&#32;");
		size_t digits = strspn(p, "0123456789");
		if (*p && strchr("#>-+=", *p)) {
			sb_puts(sb, "\\");
			sb_append(sb, p++, 1);
		} else if (digits && (p[digits] == '.' || p[digits] == ')')) {
			sb_append(sb, p, digits);
			p += digits;
			sb_puts(sb, "\\");
			sb_append(sb, p++, 1);
		}
	}
	for (; *p; p++) {
		if (*p == '<')
			sb_puts(sb, "&lt;");
		else if (*p == '_' && p > s && md_word_char(p[-1]) && md_word_char(p[1]))
			sb_append(sb, p, 1);
		else if (strchr("\\`*_[]&|~", *p)) {
			sb_puts(sb, "\\");
			sb_append(sb, p, 1);
		} else
			sb_append(sb, p, 1);
	}
	free(s);
}

/* Inline text: a table cell, a phrase inside a line. */
static void put_md(struct strbuf *sb, const char *raw)
{
	put_md_text(sb, raw, false);
}

/* Text that starts a paragraph or follows a list item's marker. */
static void put_md_block(struct strbuf *sb, const char *raw)
{
	put_md_text(sb, raw, true);
}

static void heading(struct card *c, const char *title)
{
	if (c->f == CARD_HTML) {
		sb_puts(&c->sb, "<h2>");
		put_html(&c->sb, title);
		sb_puts(&c->sb, "</h2>\n");
	} else {
		sb_printf(&c->sb, "\n## %s\n\n", title);
	}
}

static void para(struct card *c, const char *text)
{
	if (c->f == CARD_HTML) {
		sb_puts(&c->sb, "<p>");
		put_html(&c->sb, text);
		sb_puts(&c->sb, "</p>\n");
	} else {
		put_md_block(&c->sb, text);
		sb_puts(&c->sb, "\n\n");
	}
}

/* Tables: start with column titles, add rows of cells, end. */
/* A table whose cells hold text (paths, hashes, reasons) may break words
 * anywhere; any other breaks only at spaces, so a number is never cut. */
static void table_start(struct card *c, const char *const *cols, size_t n)
{
	if (c->f == CARD_HTML) {
		bool titled = false;
		for (size_t i = 0; i < n; i++)
			titled |= cols[i][0] != '\0';
		/* a list with a name per row stacks on a narrow screen; a
		 * matrix (its corner untitled) stays a matrix */
		c->cols = titled && cols[0][0] ? cols : NULL;
		sb_printf(&c->sb, "<div class=\"wide\"><table%s>", !titled ? " class=\"text\""
			  : c->cols ? " class=\"stack\"" : "");
		if (titled) {
			sb_puts(&c->sb, "<thead><tr>");
			for (size_t i = 0; i < n; i++) {
				sb_puts(&c->sb, "<th>");
				put_html(&c->sb, cols[i]);
				sb_puts(&c->sb, "</th>");
			}
			sb_puts(&c->sb, "</tr></thead>");
		}
		sb_puts(&c->sb, "<tbody>\n");
	} else {
		sb_puts(&c->sb, "|");
		for (size_t i = 0; i < n; i++) {
			sb_puts(&c->sb, " ");
			put_md(&c->sb, cols[i]);
			sb_puts(&c->sb, " |");
		}
		sb_puts(&c->sb, "\n|");
		for (size_t i = 0; i < n; i++)
			sb_puts(&c->sb, " --- |");
		sb_puts(&c->sb, "\n");
	}
}

static void table_row(struct card *c, const char *const *cells, size_t n)
{
	if (c->f == CARD_HTML) {
		sb_puts(&c->sb, "<tr>");
		for (size_t i = 0; i < n; i++) {
			if (i == 0) {
				sb_puts(&c->sb, "<th scope=\"row\">");
				put_html(&c->sb, cells[i]);
				sb_puts(&c->sb, "</th>");
			} else if (c->cols) {
				sb_puts(&c->sb, "<td data-label=\"");
				put_html(&c->sb, c->cols[i]);
				sb_puts(&c->sb, "\">");
				put_html_cell(&c->sb, cells[i]);
				sb_puts(&c->sb, "</td>");
			} else {
				sb_puts(&c->sb, "<td>");
				put_html(&c->sb, cells[i]);
				sb_puts(&c->sb, "</td>");
			}
		}
		sb_puts(&c->sb, "</tr>\n");
	} else {
		sb_puts(&c->sb, "|");
		for (size_t i = 0; i < n; i++) {
			sb_puts(&c->sb, " ");
			put_md(&c->sb, cells[i]);
			sb_puts(&c->sb, " |");
		}
		sb_puts(&c->sb, "\n");
	}
}

static void table_end(struct card *c)
{
	sb_puts(&c->sb, c->f == CARD_HTML ? "</tbody></table></div>\n" : "\n");
	c->cols = NULL;
}

static void num(char buf[32], double v)
{
	if (isnan(v))
		snprintf(buf, 32, "-");
	else
		fmt_double(buf, v);
}

/* ---- the tree as SVG -------------------------------------------------- */

struct layout {
	const struct model *m;
	double *x;                 /* per node: centre, in slots */
	bool *shown;
	bool *folded;
	double next_slot;
};

static double place(struct layout *l, int32_t id, int depth)
{
	const struct tree_node *nd = &l->m->tree->nodes[id];
	l->shown[id] = true;
	if (nd->left == TREE_LEAF || depth >= FOLD_DEPTH) {
		l->folded[id] = nd->left != TREE_LEAF;
		l->x[id] = l->next_slot++;
		return l->x[id];
	}
	double a = place(l, nd->left, depth + 1);
	double b = place(l, nd->right, depth + 1);
	l->x[id] = (a + b) / 2;
	return l->x[id];
}

static void fold_count(const struct tree *t, int32_t id, size_t *splits, size_t *leaves)
{
	const struct tree_node *nd = &t->nodes[id];
	if (nd->left == TREE_LEAF) {
		++*leaves;
		return;
	}
	++*splits;
	fold_count(t, nd->left, splits, leaves);
	fold_count(t, nd->right, splits, leaves);
}

/* Up to two lines of at most LINE_CHARS bytes, broken at spaces; text
 * that does not fit ends in an ellipsis at a word boundary, never inside
 * a number. */
static void svg_lines(struct strbuf *sb, const char *text, double cx, double y)
{
	const char *p = text;
	for (int line = 0; line < 2 && *p; line++) {
		size_t n = strlen(p), cut = n;
		bool more = false;
		if (n > LINE_CHARS) {
			cut = LINE_CHARS;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = LINE_CHARS;
			while (cut < n && ((unsigned char)p[cut] & 0xC0) == 0x80)
				cut++;
			more = true;
		}
		char *part = xstrndup(p, cut);
		sb_printf(sb, "<text x=\"%.1f\" y=\"%.1f\">", cx, y + 13.0 * line);
		put_html(sb, part);
		if (more && line == 1)
			sb_puts(sb, "\xe2\x80\xa6");
		sb_puts(sb, "</text>");
		free(part);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void svg_node(struct strbuf *sb, const struct layout *l, int32_t id, int32_t parent,
		     bool right, int depth)
{
	const struct model *m = l->m;
	const struct tree_node *nd = &m->tree->nodes[id];
	double cx = 10 + l->x[id] * SLOT_W + BOX_W / 2.0, top = 10 + depth * ROW_H;
	bool leaf = nd->left == TREE_LEAF;
	double p = tree_node_proba(nd);
	const char *cls = leaf ? (model_leaf_flags(m, nd) ? "fraud" : "legit") :
		l->folded[id] ? "fold" : "split";
	char *cond = parent < 0 ? xstrdup("all training rows") :
		condition_text(m->recipe, m->tree, parent, right);
	sb_printf(sb, "<g class=\"%s\"><title>", cls);
	put_html(sb, cond);
	sb_puts(sb, "</title>");
	sb_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\"/>",
		  cx - BOX_W / 2.0, top, BOX_W, BOX_H);
	svg_lines(sb, cond, cx, top + 14);
	free(cond);
	char line[128];
	double share = nd->samples ? 100.0 * (double)nd->count[1] / (double)nd->samples : 0;
	snprintf(line, sizeof line, "%llu rows, %llu fraud (%.1f%%)",
		 (unsigned long long)nd->samples, (unsigned long long)nd->count[1], share);
	sb_printf(sb, "<text class=\"n\" x=\"%.1f\" y=\"%.1f\">%s</text>", cx, top + 43, line);
	if (leaf) {
		snprintf(line, sizeof line, "%s, p = %.3g (leaf %d)",
			 model_leaf_flags(m, nd) ? "fraud" : "legit", p, (int)id);
	} else if (l->folded[id]) {
		size_t s = 0, k = 0;
		fold_count(m->tree, id, &s, &k);
		snprintf(line, sizeof line, "%zu more splits, %zu leaves", s, k);
	} else {
		line[0] = '\0';
	}
	if (line[0])
		sb_printf(sb, "<text class=\"n\" x=\"%.1f\" y=\"%.1f\">%s</text>", cx, top + 56, line);
	sb_puts(sb, "</g>\n");
	if (leaf || l->folded[id])
		return;
	for (int side = 0; side < 2; side++) {
		int32_t ch = side ? nd->right : nd->left;
		double chx = 10 + l->x[ch] * SLOT_W + BOX_W / 2.0;
		sb_printf(sb, "<path d=\"M%.1f %.1fL%.1f %.1f\"/>\n", cx, top + BOX_H, chx,
			  top + ROW_H);
		svg_node(sb, l, ch, id, side == 1, depth + 1);
	}
}

static void svg_tree(struct strbuf *sb, const struct model *m)
{
	size_t n = m->tree->nnodes;
	struct layout l = { .m = m };
	l.x = xcalloc(n, sizeof *l.x);
	l.shown = xcalloc(n, sizeof *l.shown);
	l.folded = xcalloc(n, sizeof *l.folded);
	place(&l, 0, 0);
	int depth = tree_depth(m->tree);
	if (depth > FOLD_DEPTH)
		depth = FOLD_DEPTH;
	int w = (int)l.next_slot * SLOT_W + 20, h = depth * ROW_H + BOX_H + 20;
	sb_printf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		  "aria-label=\"decision tree\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		  w, h, w, h);
	svg_node(sb, &l, 0, -1, false, 0);
	sb_puts(sb, "</svg>\n");
	free(l.x);
	free(l.shown);
	free(l.folded);
}

/* Markdown: the same tree as a nested list. */
static void md_tree(struct strbuf *sb, const struct model *m, int32_t id, int32_t parent,
		    bool right, int depth)
{
	const struct tree_node *nd = &m->tree->nodes[id];
	for (int i = 0; i < depth; i++)
		sb_puts(sb, "  ");
	char *cond = parent < 0 ? xstrdup("all training rows") :
		condition_text(m->recipe, m->tree, parent, right);
	sb_puts(sb, "- ");
	put_md_block(sb, cond);
	free(cond);
	double p = tree_node_proba(nd);
	sb_printf(sb, ": %llu rows, %llu fraud", (unsigned long long)nd->samples,
		  (unsigned long long)nd->count[1]);
	if (nd->left == TREE_LEAF) {
		sb_printf(sb, "; **%s**, p = %.3g (leaf %d)\n", model_leaf_flags(m, nd) ? "fraud" : "legit",
			  p, (int)id);
		return;
	}
	if (depth >= FOLD_DEPTH) {
		size_t s = 0, k = 0;
		fold_count(m->tree, id, &s, &k);
		sb_printf(sb, "; %zu more splits, %zu leaves\n", s, k);
		return;
	}
	sb_puts(sb, "\n");
	md_tree(sb, m, nd->left, id, false, depth + 1);
	md_tree(sb, m, nd->right, id, true, depth + 1);
}

/* ---- sections --------------------------------------------------------- */

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:#1b1b1b;background:#fff;margin:0 auto;max-width:62rem;padding:1rem;line-height:1.45}"
	"h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.15rem;border-bottom:1px solid #ccc;"
	"margin-top:1.6rem;padding-bottom:.2rem}"
	".status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#eee;"
	"font-weight:600}.pass{color:#0a5c1f}.fail{color:#a11}"
	".wide{overflow-x:auto;max-width:100%}"
	"table{border-collapse:collapse;margin:.4rem 0;font-variant-numeric:tabular-nums}"
	"th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
	"thead th{background:#f2f2f2}.text td{overflow-wrap:anywhere}"
	"code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;"
	"overflow-wrap:anywhere}"
	".tree svg{display:block}@media (min-width:40rem){.tree svg{max-width:100%;height:auto}}"
	".tree text{font:11px system-ui,Helvetica,Arial,sans-serif;text-anchor:middle;fill:#1b1b1b}"
	".tree .n{fill:#333}.tree path{stroke:#888;fill:none}"
	".tree rect{stroke:#666}.tree .split rect{fill:#fff}.tree .fold rect{fill:#eee;"
	"stroke-dasharray:4 3}.tree .fraud rect{fill:#f4c2c2}.tree .legit rect{fill:#c9e7cb}"
	"@media (max-width:40rem){body{padding:.6rem;font-size:.95rem}th,td{padding:.2rem .3rem}"
	/* a wide table: each row a block, each cell under its column's name */
	"table.stack,.stack tbody,.stack tr,.stack th,.stack td{display:block}"
	".stack thead{display:none}.stack tr{border:1px solid #ccc;margin:.4rem 0}"
	".stack th,.stack td{border:0}.stack th{background:#f2f2f2}"
	".stack td::before{content:attr(data-label) \": \";color:#555}"
	/* a name longer than the screen may break anywhere */
	".stack th{overflow-wrap:anywhere}}"
	"@page{size:A4;margin:14mm}"
	"@media print{body{max-width:none;padding:0;font-size:10pt}.wide{overflow:visible}"
	".tree svg{max-width:100%;height:auto}h2{break-after:avoid}"
	"table,.tree{break-inside:avoid}"
	/* a long list goes on over the page under its heading, whole rows,
	 * its column titles repeated */
	"table.stack{break-inside:auto}tr{break-inside:avoid}}";

/* The data's date range: only from the very file trained on. */
static char *date_range(const struct registry_manifest *mf, const struct model *m)
{
	char hex[65];
	uint64_t size;
	struct ft_err err;
	struct stat st;
	if (!mf->data_path || !*mf->data_path || stat(mf->data_path, &st))
		return xstrdup("unknown (the data file is not there any more)");
	/* a FIFO or a device in its place would be read for ever */
	if (!S_ISREG(st.st_mode))
		return xstrdup("unknown (the data path is not a regular file now)");
	if ((uint64_t)st.st_size != mf->data_size ||
	    sha256_file(mf->data_path, hex, &size, &err) < 0 || strcmp(hex, mf->data_sha256))
		return xstrdup("unknown (the data file has changed since training)");
	struct csv_options opt = { 0 };
	opt.na_values = (const char *const *)m->recipe->na_values;
	opt.nna_values = m->recipe->nna_values;
	struct frame *f = csv_load(mf->data_path, &opt, &err);
	if (!f)
		return xasprintf("unknown (%s)", err.msg);
	struct strbuf sb = { 0 };
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		if (col->type != COL_DATETIME || !isfinite(col->stats.min))
			continue;
		char a[40], b[40];
		frame_format_datetime(col->stats.min, false, a, sizeof a);
		frame_format_datetime(col->stats.max, false, b, sizeof b);
		sb_printf(&sb, "%s%s: %s to %s", sb.len ? "; " : "", col->name, a, b);
	}
	frame_free(f);
	if (!sb.len)
		sb_puts(&sb, "no datetime column");
	return sb.data;
}

/* A setting's value for a sentence: a JSON string without its quotes. */
static const char *setting(const struct registry_details *d, const char *key, char *buf,
			   size_t size)
{
	for (size_t i = 0; i < d->nsettings; i++)
		if (!strcmp(d->settings[i].key, key)) {
			const char *v = d->settings[i].value;
			size_t n = strlen(v);
			if (n >= 2 && v[0] == '"' && v[n - 1] == '"' && !memchr(v + 1, '\\', n - 2)) {
				snprintf(buf, size, "%.*s", (int)(n - 2), v + 1);
				return buf;
			}
			return v;
		}
	return "-";
}

static void kv(struct card *c, const char *k, const char *v)
{
	const char *cells[2] = { k, v };
	table_row(c, cells, 2);
}

static void section_data(struct card *c, const struct registry_details *d)
{
	const struct registry_manifest *mf = &d->v.m;
	heading(c, "Data");
	static const char *const cols[] = { "", "" };
	table_start(c, cols, 2);
	char buf[64];
	kv(c, "file", mf->data_path);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)mf->data_rows);
	kv(c, "rows", buf);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)mf->data_columns);
	kv(c, "columns", buf);
	snprintf(buf, sizeof buf, "%llu bytes", (unsigned long long)mf->data_size);
	kv(c, "size", buf);
	kv(c, "sha256", mf->data_sha256);
	char *range = date_range(mf, d->model);
	kv(c, "date range", range);
	free(range);
	char b1[64], b2[64], b3[64], b4[64];
	char *split = xasprintf("train %s, validation %s, test %s (stratified, seed %s)",
				setting(d, "split.train", b1, sizeof b1),
				setting(d, "split.validation", b2, sizeof b2),
				setting(d, "split.test", b3, sizeof b3),
				setting(d, "split.seed", b4, sizeof b4));
	kv(c, "split", split);
	free(split);
	char *res = xasprintf("%s, ratio %s (training split only)",
			      setting(d, "resample.method", b1, sizeof b1),
			      setting(d, "resample.ratio", b2, sizeof b2));
	kv(c, "resampling", res);
	free(res);
	kv(c, "target", d->model->recipe->target);
	char *pos = xasprintf("%s (fraud)", d->model->recipe->positive);
	kv(c, "positive value", pos);
	free(pos);
	table_end(c);
}

static void section_metrics(struct card *c, const struct registry_details *d,
			    const cJSON *eval)
{
	const struct registry_manifest *mf = &d->v.m;
	if (!mf->has_metrics) {
		heading(c, "Evaluation");
		para(c, "This version has no evaluation.");
		return;
	}
	const struct metrics *mt = &mf->metrics;
	char a[32], b[32], thr[32];
	heading(c, "Confusion matrix (test split)");
	num(thr, mt->threshold);
	char *intro = xasprintf("%llu test rows the model never saw; a row is flagged when its "
				"leaf's fraud %s is at least %s.", (unsigned long long)mt->n,
				d->model ? threshold_on_name(d->model->threshold_on) : "score", thr);
	para(c, intro);
	free(intro);
	static const char *const cmcols[] = { "", "predicted 0", "predicted 1" };
	table_start(c, cmcols, 3);
	snprintf(a, sizeof a, "%llu", (unsigned long long)mt->cm.tn);
	snprintf(b, sizeof b, "%llu", (unsigned long long)mt->cm.fp);
	const char *r0[] = { "actual 0", a, b };
	table_row(c, r0, 3);
	snprintf(a, sizeof a, "%llu", (unsigned long long)mt->cm.fn);
	snprintf(b, sizeof b, "%llu", (unsigned long long)mt->cm.tp);
	const char *r1[] = { "actual 1", a, b };
	table_row(c, r1, 3);
	table_end(c);

	heading(c, "Metrics (test split)");
	num(a, mt->accuracy);
	num(b, mt->baseline);
	char *base = xasprintf("Majority baseline (accuracy of always predicting the most "
			       "common class): %s; model accuracy: %s.", b, a);
	para(c, base);
	free(base);
	static const char *const mcols[] = { "metric", "value", "95% interval", "baseline" };
	table_start(c, mcols, 4);
	/* evaluation.json holds every metric with its interval; the manifest
	 * only the headline ones */
	const cJSON *bm = cJSON_GetObjectItemCaseSensitive(eval, "binary_classification_metrics");
	const cJSON *it;
	size_t rows = 0;
	cJSON_ArrayForEach(it, bm) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
		if (!cJSON_IsObject(it) || !it->string || !strcmp(it->string, "confusion_matrix"))
			continue;
		const cJSON *lo = cJSON_GetObjectItemCaseSensitive(it, "lower");
		const cJSON *hi = cJSON_GetObjectItemCaseSensitive(it, "upper");
		char val[32] = "-", los[32], his[32], iv[80] = "-", bl[32] = "-";
		if (cJSON_IsNumber(v))
			num(val, v->valuedouble);
		if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi)) {
			num(los, lo->valuedouble);
			num(his, hi->valuedouble);
			snprintf(iv, sizeof iv, "%s to %s", los, his);
		}
		if (!strcmp(it->string, "accuracy"))
			num(bl, mt->baseline);
		const char *row[] = { it->string, val, iv, bl };
		table_row(c, row, 4);
		rows++;
	}
	if (rows == 0) {
		const struct { const char *k; double v; } f[] = {
			{ "accuracy", mt->accuracy }, { "precision", mt->precision },
			{ "recall", mt->recall }, { "specificity", mt->specificity },
			{ "f1", mt->f1 }, { "balanced_accuracy", mt->balanced_accuracy },
			{ "mcc", mt->mcc }, { "roc_auc", mt->roc_auc }, { "pr_auc", mt->pr_auc },
			{ "log_loss", mt->log_loss },
		};
		for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
			char val[32], bl[32] = "-";
			num(val, f[i].v);
			if (i == 0)
				num(bl, mt->baseline);
			const char *row[] = { f[i].k, val, "-", bl };
			table_row(c, row, 4);
		}
	}
	table_end(c);
}

static void section_gate(struct card *c, const struct registry_details *d)
{
	const struct registry_manifest *mf = &d->v.m;
	heading(c, "Gate");
	if (c->f == CARD_HTML)
		sb_printf(&c->sb, "<p>Result: <strong class=\"%s\">%s</strong></p>\n",
			  mf->gate_pass ? "pass" : "fail", mf->gate_pass ? "passed" : "FAILED");
	else
		sb_printf(&c->sb, "Result: **%s**\n\n", mf->gate_pass ? "passed" : "FAILED");
	static const char *const cols[] = { "condition", "required", "actual", "result" };
	table_start(c, cols, 4);
	for (size_t i = 0; i < mf->ngate; i++) {
		const struct registry_gate_check *g = &mf->gate[i];
		char v[32], act[32];
		num(v, g->value);
		num(act, g->actual);
		char *req = xasprintf("%s %s", g->op, v);
		const char *row[] = { g->metric, req, act, g->pass ? "pass" : g->why };
		table_row(c, row, 4);
		free(req);
	}
	table_end(c);
}

/* The same lines `registry show` prints under "flags": a reviewer reading
 * only the card must see a gate the submitter lowered below the group's
 * policy or the defaults, and a threshold moved off the default. */
static void section_flags(struct card *c, const char *root, const char *group, int version)
{
	heading(c, "Against the policy and the defaults");
	char **lines;
	struct ft_err e;
	ft_err_clear(&e);
	size_t n = registry_version_flags(root, group, version, &lines, &e);
	if (n == (size_t)-1) {
		char *t = xasprintf("The flags cannot be read: %s", e.msg);
		para(c, t);
		free(t);
		return;
	}
	if (!n) {
		para(c, "None: the gate and the threshold meet the group's policy and the defaults.");
		return;
	}
	para(c, "How this version's gate and threshold differ from the group's policy and "
		"from the defaults:");
	if (c->f == CARD_HTML)
		sb_puts(&c->sb, "<ul class=\"flags\">\n");
	for (size_t i = 0; i < n; i++) {
		if (c->f == CARD_HTML) {
			sb_puts(&c->sb, "<li>");
			put_html(&c->sb, lines[i]);
			sb_puts(&c->sb, "</li>\n");
		} else {
			sb_puts(&c->sb, "- ");
			put_md_block(&c->sb, lines[i]);
			sb_puts(&c->sb, "\n");
		}
		free(lines[i]);
	}
	free(lines);
	sb_puts(&c->sb, c->f == CARD_HTML ? "</ul>\n" : "\n");
}

static void section_tree(struct card *c, const struct registry_details *d)
{
	char intro[200];
	snprintf(intro, sizeof intro,
		 "%zu nodes, %zu leaves, depth %d; each box: the test that leads to it, its "
		 "training rows and fraud rows%s.",
		 d->nodes, d->leaves, d->depth,
		 d->depth > FOLD_DEPTH ? "; deeper parts are folded into grey boxes" : "");
	heading(c, "Top features");
	static const char *const fcols[] = { "feature", "importance" };
	table_start(c, fcols, 2);
	for (size_t i = 0; i < d->ntop; i++) {
		char v[32];
		num(v, d->top[i].importance);
		const char *row[] = { d->top[i].name, v };
		table_row(c, row, 2);
	}
	table_end(c);
	heading(c, "The tree");
	para(c, intro);
	if (c->f == CARD_HTML) {
		sb_puts(&c->sb, "<div class=\"wide tree\">\n");
		svg_tree(&c->sb, d->model);
		sb_puts(&c->sb, "</div>\n");
	} else {
		md_tree(&c->sb, d->model, 0, -1, false, 0);
	}
}

static void section_settings(struct card *c, const struct registry_details *d)
{
	heading(c, "Resolved settings");
	static const char *const cols[] = { "setting", "value" };
	table_start(c, cols, 2);
	for (size_t i = 0; i < d->nsettings; i++)
		kv(c, d->settings[i].key, d->settings[i].value);
	table_end(c);
}

static void section_audit(struct card *c, const struct registry_details *d)
{
	heading(c, "Audit trail");
	static const char *const cols[] = { "time", "user", "event", "status", "reason" };
	table_start(c, cols, 5);
	for (size_t i = 0; i < d->nevents; i++) {
		const struct registry_event *e = &d->events[i];
		char *st = xasprintf("%s%s%s", e->from, *e->from ? " -> " : "", e->to);
		const char *row[] = { e->time, e->user, e->event, st, e->reason };
		table_row(c, row, 5);
		free(st);
	}
	table_end(c);
}

char *card_render(const char *root, const char *group, int version, enum card_format f,
		  struct ft_err *err)
{
	struct registry_details d;
	if (registry_show(root, group, version, &d, err) < 0)
		return NULL;
	char *purpose = NULL;
	struct registry_group *g;
	size_t ng;
	if (registry_list_groups(root, &g, &ng, err) == 0) {
		for (size_t i = 0; i < ng; i++)
			if (!strcmp(g[i].name, group) && g[i].description && *g[i].description)
				purpose = xstrdup(g[i].description);
		registry_groups_free(g, ng);
	}
	const struct registry_manifest *mf = &d.v.m;
	struct card c = { .f = f };
	char title[REGISTRY_GROUP_MAX + 64];
	snprintf(title, sizeof title, "%s/%d", mf->group, mf->version);
	if (f == CARD_HTML) {
		sb_puts(&c.sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			       "<title>Model card: ");
		put_html(&c.sb, title);
		sb_printf(&c.sb, "</title>\n<style>%s</style>\n</head><body>\n<h1>Model card: ", css);
		put_html(&c.sb, title);
		sb_printf(&c.sb, "</h1>\n<p><span class=\"status\">%s</span> version <strong>%d</strong>"
			  " of ", registry_status_name(mf->status), mf->version);
		put_html(&c.sb, mf->group);
		sb_puts(&c.sb, ", registered ");
		put_html(&c.sb, mf->created);
		sb_puts(&c.sb, " by ");
		put_html(&c.sb, mf->user);
		sb_puts(&c.sb, " (");
		put_html(&c.sb, mf->program);
		sb_puts(&c.sb, ")</p>\n");
	} else {
		sb_printf(&c.sb, "# Model card: %s\n\n**%s** version **%d** of %s, registered %s by ",
			  title, registry_status_name(mf->status), mf->version, mf->group,
			  mf->created);
		put_md(&c.sb, mf->user);
		sb_printf(&c.sb, " (%s)\n", mf->program);
	}
	heading(&c, "Purpose");
	para(&c, purpose ? purpose : "The group has no description (group.json).");
	if (*mf->description)
		para(&c, mf->description);
	free(purpose);
	section_data(&c, &d);
	char *epath = xasprintf("%s/%s/%d/evaluation.json", root, group, version);
	char *etext = file_read_all(epath, NULL, err);
	cJSON *eval = etext ? cJSON_Parse(etext) : NULL;
	free(etext);
	free(epath);
	section_metrics(&c, &d, eval);
	cJSON_Delete(eval);
	section_gate(&c, &d);
	section_flags(&c, root, group, version);
	section_tree(&c, &d);
	section_settings(&c, &d);
	section_audit(&c, &d);
	if (f == CARD_HTML)
		sb_printf(&c.sb, "<p><small>Written by fraudtree %s from the registry's files; "
			  "no part of this page is fetched.</small></p>\n</body></html>\n",
			  PACKAGE_VERSION);
	registry_details_free(&d);
	return c.sb.data;
}
