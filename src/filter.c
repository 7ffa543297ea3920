/* filter: row filter expressions (grammar and meaning in filter.h).
 *
 * The text is cut into tokens, each remembering the character position it
 * starts at, then parsed by recursive descent into an array of nodes whose
 * children come before them. Every column is resolved and every value
 * converted while parsing, so matching a row never fails and never looks
 * at text: a categorical test holds the level's code (or none, when no
 * cell has that text), a numeric or datetime test a double. */
#include "config.h"
#include "filter.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok_kind {
	TOK_END, TOK_NAME, TOK_QUOTED_NAME, TOK_STRING, TOK_NUMBER, TOK_OP,
	TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_NOT, TOK_IS, TOK_MISSING
};

enum cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct token {
	enum tok_kind kind;
	enum cmp op;          /* TOK_OP */
	char *text;           /* NAME, QUOTED_NAME, STRING, NUMBER: unescaped */
	size_t pos;           /* character position, from 1 */
};

enum node_kind { NODE_AND, NODE_OR, NODE_NOT, NODE_NUM, NODE_CAT, NODE_MISSING };

struct node {
	enum node_kind kind;
	size_t a, b;          /* children (AND, OR: both; NOT: a) */
	size_t col;
	enum cmp op;
	double value;         /* NODE_NUM */
	uint32_t code;        /* NODE_CAT: FRAME_NA_CODE when no cell has the text */
	bool negate;          /* NODE_MISSING: "is not missing" */
};

struct filter {
	char *text;
	struct node *nodes;
	size_t nnodes, root;
};

struct parser {
	const struct frame *f;
	struct token *toks;
	size_t ntoks, at;
	struct filter *flt;
	struct ft_err *err;
	int depth;
};

static const char *const cmp_text[] = { "=", "!=", "<", "<=", ">", ">=" };

/* Characters (UTF-8 lead bytes) before byte offset `off`, plus one. */
static size_t char_pos(const char *s, size_t off)
{
	size_t n = 1;
	for (size_t i = 0; i < off; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static bool name_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
	return name_start(c) || isdigit(c) || c == '.' || c == '-';
}

static void tokens_free(struct token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

/* A short, printable quote of the input at a position, for messages. */
static void near_text(struct strbuf *sb, const char *s)
{
	size_t shown = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80 && shown++ == 20) {
			sb_puts(sb, "\xE2\x80\xA6");
			return;
		}
		sb_append(sb, *p < 0x20 || *p == 0x7f ? "?" : (const char *)p, 1);
	}
}

static int lex(const char *s, struct token **out, size_t *nout, struct ft_err *err)
{
	struct token *t = NULL;
	size_t n = 0;
	size_t i = 0;
	for (;;) {
		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		t = xreallocarray(t, n + 1, sizeof *t);
		struct token *k = &t[n];
		memset(k, 0, sizeof *k);
		k->pos = char_pos(s, i);
		size_t pos = k->pos;   /* k dies with t on an error */
		unsigned char c = (unsigned char)s[i];
		if (!c) {
			k->kind = TOK_END;
			n++;
			break;
		}
		if (c == '(' || c == ')') {
			k->kind = c == '(' ? TOK_LPAREN : TOK_RPAREN;
			i++;
		} else if (c == '=' || c == '!' || c == '<' || c == '>') {
			k->kind = TOK_OP;
			char d = s[i + 1];
			if (c == '=') {
				k->op = CMP_EQ;
				i += d == '=' ? 2 : 1;
			} else if (c == '!') {
				if (d != '=') {
					tokens_free(t, n);
					return ft_fail(err, FT_EINPUT, "position %zu: '!' must be '!=' "
						       "(use 'not' to negate)", pos);
				}
				k->op = CMP_NE;
				i += 2;
			} else if (c == '<') {
				k->op = d == '=' ? CMP_LE : d == '>' ? CMP_NE : CMP_LT;
				i += d == '=' || d == '>' ? 2 : 1;
			} else {
				k->op = d == '=' ? CMP_GE : CMP_GT;
				i += d == '=' ? 2 : 1;
			}
		} else if (c == '"' || c == '\'' || c == '`') {
			struct strbuf sb = { 0 };
			size_t j = i + 1;
			while (s[j] && s[j] != (char)c) {
				if (s[j] == '\\' && s[j + 1])
					j++;
				sb_append(&sb, &s[j], 1);
				j++;
			}
			if (!s[j]) {
				sb_free(&sb);
				tokens_free(t, n);
				return ft_fail(err, FT_EINPUT, "position %zu: the %s opened here is "
					       "never closed", pos, c == '`' ? "backquote" : "quote");
			}
			k->kind = c == '`' ? TOK_QUOTED_NAME : TOK_STRING;
			k->text = sb.data ? sb.data : xstrdup("");
			i = j + 1;
		} else if (isdigit(c) || ((c == '-' || c == '+' || c == '.') &&
					  (isdigit((unsigned char)s[i + 1]) || s[i + 1] == '.'))) {
			size_t j = i + 1;
			while (isalnum((unsigned char)s[j]) || s[j] == '.' ||
			       ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))
				j++;
			double v;
			if (!parse_number(s + i, j - i, &v)) {
				struct strbuf sb = { 0 };
				sb_append(&sb, s + i, j - i);
				struct strbuf near = { 0 };
				near_text(&near, sb.data);
				ft_fail(err, FT_EINPUT, "position %zu: '%s' is not a number", k->pos,
					near.data);
				sb_free(&near);
				sb_free(&sb);
				tokens_free(t, n);
				return -1;
			}
			k->kind = TOK_NUMBER;
			k->text = xstrndup(s + i, j - i);
			i = j;
		} else if (name_start(c)) {
			size_t j = i;
			while (name_char((unsigned char)s[j]))
				j++;
			char *w = xstrndup(s + i, j - i);
			static const struct { const char *word; enum tok_kind kind; } kw[] = {
				{ "and", TOK_AND }, { "or", TOK_OR }, { "not", TOK_NOT },
				{ "is", TOK_IS }, { "missing", TOK_MISSING }
			};
			k->kind = TOK_NAME;
			for (size_t q = 0; q < sizeof kw / sizeof kw[0]; q++)
				if (strcasecmp(w, kw[q].word) == 0)
					k->kind = kw[q].kind;
			if (k->kind == TOK_NAME)
				k->text = w;
			else
				free(w);
			i = j;
		} else {
			struct strbuf near = { 0 };
			near_text(&near, s + i);
			ft_fail(err, FT_EINPUT, "position %zu: unexpected '%s'", k->pos, near.data);
			sb_free(&near);
			tokens_free(t, n);
			return -1;
		}
		n++;
	}
	*out = t;
	*nout = n;
	return 0;
}

static const struct token *peek(const struct parser *p)
{
	return &p->toks[p->at];
}

static const char *tok_desc(const struct token *t)
{
	switch (t->kind) {
	case TOK_END: return "the end";
	case TOK_NAME: case TOK_QUOTED_NAME: return "a name";
	case TOK_STRING: return "a quoted text";
	case TOK_NUMBER: return "a number";
	case TOK_OP: return cmp_text[t->op];
	case TOK_LPAREN: return "'('";
	case TOK_RPAREN: return "')'";
	case TOK_AND: return "'and'";
	case TOK_OR: return "'or'";
	case TOK_NOT: return "'not'";
	case TOK_IS: return "'is'";
	case TOK_MISSING: return "'missing'";
	}
	return "?";
}

static int perr(struct parser *p, const struct token *t, const char *what)
{
	return ft_fail(p->err, FT_EINPUT, "position %zu: expected %s, found %s", t->pos, what,
		       tok_desc(t));
}

static size_t add_node(struct parser *p, struct node nd)
{
	struct filter *flt = p->flt;
	flt->nodes = xreallocarray(flt->nodes, flt->nnodes + 1, sizeof *flt->nodes);
	flt->nodes[flt->nnodes] = nd;
	return flt->nnodes++;
}

static int parse_expr(struct parser *p, size_t *out);

static int parse_test(struct parser *p, size_t *out)
{
	const struct token *ct = peek(p);
	if (ct->kind != TOK_NAME && ct->kind != TOK_QUOTED_NAME)
		return perr(p, ct, "a column name, 'not' or '('");
	int col = frame_find(p->f, ct->text);
	if (col < 0) {
		struct strbuf near = { 0 };
		near_text(&near, ct->text);
		ft_fail(p->err, FT_EINPUT, "position %zu: no column named '%s'", ct->pos, near.data);
		sb_free(&near);
		return -1;
	}
	const struct column *c = &p->f->cols[col];
	p->at++;
	const struct token *ot = peek(p);
	if (ot->kind == TOK_IS) {
		p->at++;
		bool negate = false;
		if (peek(p)->kind == TOK_NOT) {
			negate = true;
			p->at++;
		}
		if (peek(p)->kind != TOK_MISSING)
			return perr(p, peek(p), "'missing'");
		p->at++;
		*out = add_node(p, (struct node){ .kind = NODE_MISSING, .col = (size_t)col,
						  .negate = negate });
		return 0;
	}
	if (ot->kind != TOK_OP)
		return perr(p, ot, "a comparison (= != < <= > >=) or 'is'");
	p->at++;
	const struct token *vt = peek(p);
	if (vt->kind != TOK_NUMBER && vt->kind != TOK_STRING && vt->kind != TOK_NAME)
		return perr(p, vt, "a value (a number, \"text\" or a word)");
	p->at++;
	struct node nd = { .col = (size_t)col, .op = ot->op };
	struct strbuf cn = { 0 };
	near_text(&cn, c->name);
	int rc = 0;
	if (c->type == COL_CATEGORICAL) {
		if (ot->op != CMP_EQ && ot->op != CMP_NE) {
			rc = ft_fail(p->err, FT_EINPUT, "position %zu: %s is categorical: compare "
				     "it with = or !=, not %s", ot->pos, cn.data, cmp_text[ot->op]);
		} else {
			nd.kind = NODE_CAT;
			nd.code = FRAME_NA_CODE;
			for (uint32_t k = 0; k < c->nlevels; k++)
				if (strcmp(c->levels[k], vt->text) == 0) {
					nd.code = k;
					break;
				}
		}
	} else if (c->type == COL_NUMERIC) {
		nd.kind = NODE_NUM;
		if (!parse_number(vt->text, strlen(vt->text), &nd.value) || isnan(nd.value)) {
			struct strbuf near = { 0 };
			near_text(&near, vt->text);
			rc = ft_fail(p->err, FT_EINPUT, "position %zu: %s is numeric and '%s' is "
				     "not a number", vt->pos, cn.data, near.data);
			sb_free(&near);
		}
	} else {
		nd.kind = NODE_NUM;
		size_t len = strlen(vt->text);
		if (vt->kind == TOK_NUMBER ||
		    (!parse_datetime(vt->text, len, c->date_order, &nd.value) &&
		     !parse_datetime(vt->text, len, DATE_ISO, &nd.value))) {
			struct strbuf near = { 0 };
			near_text(&near, vt->text);
			rc = ft_fail(p->err, FT_EINPUT, "position %zu: %s is a datetime and '%s' is "
				     "not a date (write \"YYYY-MM-DD[ HH:MM[:SS]]\")", vt->pos,
				     cn.data, near.data);
			sb_free(&near);
		}
	}
	sb_free(&cn);
	if (rc < 0)
		return -1;
	*out = add_node(p, nd);
	return 0;
}

static int parse_factor(struct parser *p, size_t *out)
{
	const struct token *t = peek(p);
	if (t->kind == TOK_NOT || t->kind == TOK_LPAREN) {
		if (++p->depth > FILTER_DEPTH_MAX)
			return ft_fail(p->err, FT_EINPUT, "position %zu: nested more than %d deep",
				       t->pos, FILTER_DEPTH_MAX);
		p->at++;
		size_t a;
		if (t->kind == TOK_NOT) {
			if (parse_factor(p, &a) < 0)
				return -1;
			*out = add_node(p, (struct node){ .kind = NODE_NOT, .a = a });
		} else {
			if (parse_expr(p, &a) < 0)
				return -1;
			if (peek(p)->kind != TOK_RPAREN)
				return ft_fail(p->err, FT_EINPUT, "position %zu: expected ')' to close "
					       "the '(' at position %zu, found %s", peek(p)->pos, t->pos,
					       tok_desc(peek(p)));
			p->at++;
			*out = a;
		}
		p->depth--;
		return 0;
	}
	return parse_test(p, out);
}

static int parse_term(struct parser *p, size_t *out)
{
	size_t a;
	if (parse_factor(p, &a) < 0)
		return -1;
	while (peek(p)->kind == TOK_AND) {
		p->at++;
		size_t b;
		if (parse_factor(p, &b) < 0)
			return -1;
		a = add_node(p, (struct node){ .kind = NODE_AND, .a = a, .b = b });
	}
	*out = a;
	return 0;
}

static int parse_expr(struct parser *p, size_t *out)
{
	size_t a;
	if (parse_term(p, &a) < 0)
		return -1;
	while (peek(p)->kind == TOK_OR) {
		p->at++;
		size_t b;
		if (parse_term(p, &b) < 0)
			return -1;
		a = add_node(p, (struct node){ .kind = NODE_OR, .a = a, .b = b });
	}
	*out = a;
	return 0;
}

void filter_free(struct filter *flt)
{
	if (!flt)
		return;
	free(flt->text);
	free(flt->nodes);
	free(flt);
}

struct filter *filter_parse(const char *text, const struct frame *f, struct ft_err *err)
{
	size_t len = strlen(text);
	if (len > FILTER_TEXT_MAX) {
		ft_fail(err, FT_EINPUT, "position %d: a filter has at most %d bytes",
			FILTER_TEXT_MAX + 1, FILTER_TEXT_MAX);
		return NULL;
	}
	struct parser p = { .f = f, .err = err };
	if (lex(text, &p.toks, &p.ntoks, err) < 0)
		return NULL;
	if (p.toks[0].kind == TOK_END) {
		tokens_free(p.toks, p.ntoks);
		ft_fail(err, FT_EINPUT, "position 1: the filter is empty");
		return NULL;
	}
	p.flt = xcalloc(1, sizeof *p.flt);
	size_t root;
	int rc = parse_expr(&p, &root);
	if (rc == 0 && peek(&p)->kind != TOK_END)
		rc = perr(&p, peek(&p), "'and', 'or' or the end");
	tokens_free(p.toks, p.ntoks);
	if (rc < 0) {
		filter_free(p.flt);
		return NULL;
	}
	size_t a = 0, b = len;
	while (a < b && strchr(" \t\r\n", text[a]))
		a++;
	while (b > a && strchr(" \t\r\n", text[b - 1]))
		b--;
	p.flt->text = xstrndup(text + a, b - a);
	p.flt->root = root;
	return p.flt;
}

const char *filter_text(const struct filter *flt)
{
	return flt->text;
}

static bool cmp_num(enum cmp op, double a, double b)
{
	switch (op) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	}
	return false;
}

static bool match_node(const struct filter *flt, size_t i, const struct frame *f, size_t row)
{
	const struct node *n = &flt->nodes[i];
	switch (n->kind) {
	case NODE_AND:
		return match_node(flt, n->a, f, row) && match_node(flt, n->b, f, row);
	case NODE_OR:
		return match_node(flt, n->a, f, row) || match_node(flt, n->b, f, row);
	case NODE_NOT:
		return !match_node(flt, n->a, f, row);
	case NODE_MISSING:
		return frame_is_missing(f, n->col, row) != n->negate;
	case NODE_NUM: {
		double v = f->cols[n->col].num[row];
		return !isnan(v) && cmp_num(n->op, v, n->value);
	}
	case NODE_CAT: {
		uint32_t code = f->cols[n->col].codes[row];
		if (code == FRAME_NA_CODE)
			return false;
		return (code == n->code) == (n->op == CMP_EQ);
	}
	}
	return false;
}

bool filter_match(const struct filter *flt, const struct frame *f, size_t row)
{
	return match_node(flt, flt->root, f, row);
}

size_t filter_rows(const struct filter *flt, const struct frame *f, size_t *out,
		   const struct ft_progress *prog, bool *cancelled)
{
	size_t n = 0;
	if (cancelled)
		*cancelled = false;
	for (size_t r = 0; r < f->nrows; r++) {
		if ((r & 0xffff) == 0 && r && ft_cancelled(prog)) {
			if (cancelled)
				*cancelled = true;
			break;
		}
		if (match_node(flt, flt->root, f, r))
			out[n++] = r;
	}
	return n;
}

static bool plain_name(const char *s)
{
	static const char *const kw[] = { "and", "or", "not", "is", "missing" };
	if (!name_start((unsigned char)*s))
		return false;
	for (const char *q = s; *q; q++)
		if (!name_char((unsigned char)*q))
			return false;
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (strcasecmp(s, kw[i]) == 0)
			return false;
	return true;
}

static char *quote(const char *s, char q)
{
	struct strbuf sb = { 0 };
	sb_append(&sb, &q, 1);
	for (const char *c = s; *c; c++) {
		if (*c == q || *c == '\\')
			sb_append(&sb, "\\", 1);
		sb_append(&sb, c, 1);
	}
	sb_append(&sb, &q, 1);
	return sb.data;
}

char *filter_quote_column(const char *name)
{
	return plain_name(name) ? xstrdup(name) : quote(name, '`');
}

char *filter_quote_value(const char *text)
{
	return quote(text, '"');
}
