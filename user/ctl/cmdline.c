// SPDX-License-Identifier: GPL-2.0-only
/*
 * The next kernel's command line for kexec load.
 *
 * The pools only survive when the next kernel reserves their ranges again
 * (memmap=, the firmware map knows nothing of them) and names them to the
 * module (vmpkram.pool=): a command line that loses either hands guest
 * RAM to the page allocator.  So they are carried over from the running
 * command line and from the seal reply unless the caller gave them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

struct toks {
	char **v;
	size_t n, cap;
};

static void toks_free(struct toks *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int toks_insert(struct toks *t, size_t at, const char *s, size_t len)
{
	char **v, *tok;

	if (t->n == t->cap) {
		v = realloc(t->v, (t->cap ? 2 * t->cap : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = t->cap ? 2 * t->cap : 16;
	}
	tok = strndup(s, len);
	if (!tok)
		return -ENOMEM;
	memmove(t->v + at + 1, t->v + at, (t->n - at) * sizeof(*t->v));
	t->v[at] = tok;
	t->n++;
	return 0;
}

static void toks_remove(struct toks *t, size_t at)
{
	free(t->v[at]);
	memmove(t->v + at, t->v + at + 1, (t->n - at - 1) * sizeof(*t->v));
	t->n--;
}

/* Splits at blanks outside double quotes, as the kernel's next_arg(). */
static int toks_split(struct toks *t, const char *s)
{
	const char *start;
	bool quoted;
	int ret;

	while (s && *s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		for (start = s, quoted = false; *s; s++) {
			if (*s == '"')
				quoted = !quoted;
			else if (!quoted && isspace((unsigned char)*s))
				break;
		}
		if (quoted)
			return -EINVAL;
		ret = toks_insert(t, t->n, start, s - start);
		if (ret)
			return ret;
	}
	return 0;
}

/* The parameter without the quote the kernel allows before it. */
static const char *unquote(const char *tok)
{
	return tok[0] == '"' ? tok + 1 : tok;
}

static bool has_prefix(const char *tok, const char *prefix)
{
	return !strncmp(unquote(tok), prefix, strlen(prefix));
}

/* The index of "--" (the start of init's arguments), or t->n. */
static size_t kernel_end(const struct toks *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], "--"))
			return i;
	return t->n;
}

/* Same parameter name: up to '=', dashes and underscores alike. */
static bool same_key(const char *a, const char *b)
{
	a = unquote(a);
	b = unquote(b);
	for (; *a && *a != '=' && *b && *b != '='; a++, b++)
		if (*a != *b && !(strchr("-_", *a) && strchr("-_", *b)))
			return false;
	return (!*a || *a == '=') && (!*b || *b == '=');
}

/* memparse(): a number in C notation with an optional K...E suffix. */
static bool memparse(const char *s, const char **end, uint64_t *out)
{
	static const char suffixes[] = "KMGTPE";
	const char *p;
	char *e;

	if (!isdigit((unsigned char)*s))
		return false;
	*out = strtoull(s, &e, 0);
	p = *e ? strchr(suffixes, toupper((unsigned char)*e)) : NULL;
	if (p) {
		*out <<= 10 * (p - suffixes + 1);
		e++;
	}
	*end = e;
	return true;
}

/* memmap=SIZE<type>ADDR as (size, type, addr); false if not that form. */
static bool memmap_range(const char *tok, uint64_t *size, char *type,
			 uint64_t *addr)
{
	const char *s = unquote(tok) + strlen("memmap="), *end;

	if (!memparse(s, &end, size) || !*end || !strchr("$!#@%", *end))
		return false;
	*type = *end;
	if (!memparse(end + 1, &end, addr))
		return false;
	return !*end || (*end == '"' && !end[1]);
}

static bool same_memmap(const char *a, const char *b)
{
	uint64_t sa, sb, aa, ab;
	char ta, tb;

	if (memmap_range(a, &sa, &ta, &aa) && memmap_range(b, &sb, &tb, &ab))
		return sa == sb && ta == tb && aa == ab;
	return !strcmp(unquote(a), unquote(b));
}

/* Does the kernel part of @t already hold what @tok sets? */
static bool has_param(const struct toks *t, const char *tok)
{
	size_t i, end = kernel_end(t);
	bool memmap = has_prefix(tok, "memmap=");

	for (i = 0; i < end; i++)
		if (memmap ? has_prefix(t->v[i], "memmap=") &&
			     same_memmap(t->v[i], tok) :
			     same_key(t->v[i], tok))
			return true;
	return false;
}

/* Steps 2 and 3: what @src has of memmap= and vmpkram.* goes into @t. */
static int carry(struct toks *t, const struct toks *src, bool replace)
{
	size_t i, j, end = kernel_end(src);
	const char *tok;
	int ret;

	for (i = 0; i < end; i++) {
		tok = src->v[i];
		if (!has_prefix(tok, "memmap=") && !has_prefix(tok, "vmpkram."))
			continue;
		for (j = kernel_end(t); replace && j-- > 0;)
			if (has_prefix(tok, "vmpkram.") && same_key(t->v[j], tok))
				toks_remove(t, j);
		if (has_param(t, tok))
			continue;
		ret = toks_insert(t, kernel_end(t), tok, strlen(tok));
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * vmpkram.pool= is one list, and the kernel keeps only the last of
 * repeated module parameters: a seal reply naming each pool in its own
 * vmpkram.pool= becomes one vmpkram.pool=A,B.
 */
static int merge_pool_lists(struct toks *t)
{
	size_t i, first = t->n, len;
	const char *value;
	char *merged;

	for (i = 0; i < t->n; i++) {
		if (!has_prefix(t->v[i], "vmpkram.pool="))
			continue;
		if (first == t->n) {
			first = i;
			continue;
		}
		value = strchr(t->v[i], '=') + 1;
		len = strlen(t->v[first]);
		merged = realloc(t->v[first], len + strlen(value) + 2);
		if (!merged)
			return -ENOMEM;
		merged[len] = ',';
		strcpy(merged + len + 1, value);
		t->v[first] = merged;
		toks_remove(t, i--);
	}
	return 0;
}

static int base(struct toks *t, const char *explicit, const char *running)
{
	size_t i;
	int ret;

	if (explicit)
		return toks_split(t, explicit);
	ret = toks_split(t, running);
	for (i = kernel_end(t); !ret && i-- > 0;)
		if (has_prefix(t->v[i], "BOOT_IMAGE=") ||
		    has_prefix(t->v[i], "initrd="))
			toks_remove(t, i);
	return ret;
}

static int join(const struct toks *t, char **out)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < t->n; i++)
		len += strlen(t->v[i]) + 1;
	s = malloc(len);
	if (!s)
		return -ENOMEM;
	for (i = 0, p = s, *p = '\0'; i < t->n; i++)
		p = stpcpy(stpcpy(p, i ? " " : ""), t->v[i]);
	*out = s;
	return 0;
}

int cmdline_compose(const char *explicit, const char *running,
		    const char *pools, const char *append, char **out)
{
	struct toks t = { 0 }, run = { 0 }, seal = { 0 }, app = { 0 };
	size_t i;
	int ret;

	ret = base(&t, explicit, running);
	if (!ret)
		ret = toks_split(&run, running);
	if (!ret)
		ret = toks_split(&seal, pools);
	if (!ret)
		ret = merge_pool_lists(&seal);
	if (!ret)
		ret = toks_split(&app, append);
	if (!ret)
		ret = carry(&t, &run, false);
	if (!ret)
		ret = carry(&t, &seal, true);
	for (i = 0; !ret && i < app.n; i++)
		ret = toks_insert(&t, t.n, app.v[i], strlen(app.v[i]));
	if (!ret)
		ret = join(&t, out);
	toks_free(&t);
	toks_free(&run);
	toks_free(&seal);
	toks_free(&app);
	return ret;
}
