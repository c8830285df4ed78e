// SPDX-License-Identifier: GPL-2.0
/*
 * vmpkram_json: look values up in the JSON on standard input, for the
 * shell tests, which then compare values instead of grepping text (the
 * layout of vmpkramctl's JSON depends on whether stdout is a terminal).
 *
 * usage: vmpkram_json PATH...
 *
 * A PATH is members joined by dots: an object's member by name, an
 * array's element by index ("pools.0.name"), or the first element of an
 * array whose member KEY is VALUE ("pools.name=small.state"); "#" gives
 * an array's length or an object's number of members ("pools.#"), and ""
 * the whole document.  Each value is printed on a line of its own:
 * strings as they are (no quotes, no escapes), numbers, true, false,
 * null, and objects and arrays as compact JSON.
 *
 * Exit status: 0, 1 when a PATH is not in the document (said on stderr),
 * 2 when the input is not JSON or the usage is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

/* The element of array @arr whose member @key is the string @value. */
static struct json_object *select_by(struct json_object *arr, const char *key,
				     const char *value)
{
	struct json_object *e, *v;
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, key, &v) &&
		    !strcmp(json_object_get_string(v), value))
			return e;
	}
	return NULL;
}

/* One step of a path from @cur; *@found is 0 when there is no such value. */
static struct json_object *step(struct json_object *cur, char *name,
				int *found)
{
	struct json_object *next = NULL;
	char *eq = strchr(name, '='), *end;
	long idx;

	*found = 0;
	if (json_object_is_type(cur, json_type_array)) {
		if (eq) {
			*eq = '\0';
			next = select_by(cur, name, eq + 1);
			*found = next != NULL;
			return next;
		}
		errno = 0;
		idx = strtol(name, &end, 10);
		if (*name && !*end && !errno && idx >= 0 &&
		    (size_t)idx < json_object_array_length(cur)) {
			*found = 1;
			return json_object_array_get_idx(cur, idx);
		}
		return NULL;
	}
	if (json_object_is_type(cur, json_type_object))
		*found = json_object_object_get_ex(cur, name, &next);
	return next;
}

static void print(struct json_object *v)
{
	if (!v)
		puts("null");
	else if (json_object_is_type(v, json_type_string))
		puts(json_object_get_string(v));
	else
		puts(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Prints the value at @path in @doc; 0, or 1 when it is not there. */
static int lookup(struct json_object *doc, const char *path)
{
	char *copy = strdup(path), *name, *save = NULL;
	struct json_object *cur = doc;
	int found = 1;

	if (!copy)
		return 2;
	for (name = strtok_r(copy, ".", &save); name && found;
	     name = strtok_r(NULL, ".", &save)) {
		if (!strcmp(name, "#")) {
			if (json_object_is_type(cur, json_type_array))
				cur = json_object_new_int(json_object_array_length(cur));
			else if (json_object_is_type(cur, json_type_object))
				cur = json_object_new_int(json_object_object_length(cur));
			else
				found = 0;
			if (found) {
				print(cur);
				json_object_put(cur);
			}
			free(copy);
			return found ? 0 : 1;
		}
		cur = step(cur, name, &found);
	}
	free(copy);
	if (!found)
		return 1;
	print(cur);
	return 0;
}

static char *read_all(FILE *f)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *b;
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 < cap)
			continue;
		b = realloc(buf, cap * 2);
		if (!b)
			free(buf);
		buf = b;
		cap *= 2;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	struct json_tokener *tok;
	struct json_object *doc;
	char *text;
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH...  (JSON on standard input)\n",
			argv[0]);
		return 2;
	}
	text = read_all(stdin);
	tok = json_tokener_new();
	doc = text && tok ? json_tokener_parse_ex(tok, text, strlen(text)) :
			    NULL;
	if (!doc || json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "%s: the input is not JSON: %s\n", argv[0],
			text && text[0] ? text : "(empty)");
		ret = 2;
	}
	for (i = 1; !ret && i < argc; i++) {
		if (lookup(doc, argv[i])) {
			fprintf(stderr, "%s: no %s in %s", argv[0], argv[i],
				text);
			ret = 1;
		}
	}
	json_object_put(doc);
	json_tokener_free(tok);
	free(text);
	return ret;
}
