// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmpkramctl(8) against vmpkramctl's command table: every command has an
 * entry whose synopsis is the table's, every option of a command is
 * listed under its entry as the table has it (short and long name, value)
 * and nothing else is, the common options are in OPTIONS, and the man
 * page documents no command the table does not have.  --help is printed
 * from the same table, so the three cannot drift apart.
 *
 * The roff is read the simple way the man page is written in: an entry
 * is the line after .TP, font macros are joined as groff joins them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vmpkramctl.h"

#define MAX_TAGS	128
#define TAG_LEN		256

struct tag {
	char text[TAG_LEN];
	char section[32];
	int depth;		/* inside .RS ... .RE */
	int owner;		/* index of the entry it belongs to, or -1 */
	int used;
};

static struct tag tags[MAX_TAGS];
static int nr_tags;

/*
 * The roff escapes the man page uses, made plain text, in place (each is
 * longer than what replaces it).
 */
static void unescape(char *s)
{
	static const struct { const char *from, *to; } esc[] = {
		{ "\\fB", "" }, { "\\fI", "" }, { "\\fR", "" }, { "\\fP", "" },
		{ "\\-", "-" }, { "\\(dq", "\"" }, { "\\(lq", "\"" },
		{ "\\(rq", "\"" }, { "\\e", "\\" }, { "\\ ", " " }, { "\\&", "" },
	};
	const size_t nr = sizeof(esc) / sizeof(esc[0]);
	char *in = s, *out = s;
	size_t i;

	while (*in) {
		for (i = 0; i < nr; i++)
			if (!strncmp(in, esc[i].from, strlen(esc[i].from)))
				break;
		if (i == nr) {
			*out++ = *in++;
			continue;
		}
		memmove(out, esc[i].to, strlen(esc[i].to));
		out += strlen(esc[i].to);
		in += strlen(esc[i].from);
	}
	*out = '\0';
}

/* The words of a macro line: "quoted words" or plain ones. */
static int words(char *line, char *word[], int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			line++;
		if (!*line)
			break;
		if (*line == '"') {
			word[n++] = ++line;
			while (*line && *line != '"')
				line++;
		} else {
			word[n++] = line;
			while (*line && *line != ' ')
				line++;
		}
		if (*line)
			*line++ = '\0';
	}
	return n;
}

/*
 * The text of a man page line: font macros (.B, .I join their words with
 * spaces; .BR, .BI, .RB, .IR, .RI join them without) or plain text.
 */
static void text_of(const char *line, char *out, size_t size)
{
	char buf[TAG_LEN * 2], *word[16];
	int n, i, alternating;

	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "\n")] = '\0';
	out[0] = '\0';
	if (buf[0] != '.') {
		snprintf(out, size, "%s", buf);
	} else {
		alternating = strlen(strtok(buf, " ")) == 3;
		n = words(buf + strlen(buf) + 1, word, 16);
		for (i = 0; i < n; i++)
			snprintf(out + strlen(out), size - strlen(out), "%s%s",
				 i && !alternating ? " " : "", word[i]);
	}
	unescape(out);
}

static int load(const char *path)
{
	char line[1024], section[32] = "";
	int depth = 0, owner = -1, want_tag = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && nr_tags < MAX_TAGS) {
		if (!strncmp(line, ".SH ", 4)) {
			text_of(line + 4, section, sizeof(section));
			depth = 0;
			owner = -1;
		} else if (!strncmp(line, ".RS", 3)) {
			depth++;
		} else if (!strncmp(line, ".RE", 3)) {
			depth--;
		} else if (!strncmp(line, ".TP", 3)) {
			want_tag = 1;
		} else if (want_tag) {
			struct tag *t = &tags[nr_tags];

			want_tag = 0;
			text_of(line, t->text, sizeof(t->text));
			snprintf(t->section, sizeof(t->section), "%s", section);
			t->depth = depth;
			t->owner = depth ? owner : -1;
			if (!depth)
				owner = nr_tags;
			nr_tags++;
		}
	}
	fclose(f);
	return nr_tags > 0;
}

static int find(const char *section, int depth, int owner, const char *text)
{
	int i;

	for (i = 0; i < nr_tags; i++)
		if (!strcmp(tags[i].section, section) && tags[i].depth == depth &&
		    (!depth || tags[i].owner == owner) &&
		    !strcmp(tags[i].text, text))
			return i;
	return -1;
}

static void opt_text(const struct ctl_opt *o, char *buf, size_t size)
{
	snprintf(buf, size, "-%c, --%s%s%s", o->key, o->name,
		 o->arg ? " " : "", o->arg ? o->arg : "");
}

static void check_command(const struct ctl_cmd *cmd)
{
	char want[TAG_LEN];
	int entry, i, n = 0;

	snprintf(want, sizeof(want), "%s%s%s", cmd->name,
		 cmd->args[0] ? " " : "", cmd->args);
	entry = find("COMMANDS", 0, -1, want);
	if (!tap_ok(entry >= 0, "%s: an entry \"%s\"", cmd->name, want))
		return;
	tags[entry].used = 1;
	for (i = 0; cmd->opts && cmd->opts[i].name; i++) {
		int t;

		opt_text(&cmd->opts[i], want, sizeof(want));
		t = find("COMMANDS", 1, entry, want);
		tap_ok(t >= 0, "%s: option \"%s\" under it", cmd->name, want);
		if (t >= 0)
			tags[t].used = 1;
		n++;
	}
	for (i = 0; i < nr_tags; i++)
		if (tags[i].owner == entry && !tags[i].used)
			tap_ok(0, "%s: the man page lists \"%s\", which it does not take",
			       cmd->name, tags[i].text);
	if (!n)
		tap_ok(1, "%s: no options of its own", cmd->name);
}

int main(void)
{
	const struct ctl_cmd *cmds;
	char want[TAG_LEN];
	size_t n, i, j;
	int t;

	if (!tap_ok(load(MAN_PAGE), "read %s", MAN_PAGE))
		return tap_exit();
	cmds = ctl_commands(&n);
	for (i = 0; i < n; i++) {
		if (!cmds[i].subs) {
			check_command(&cmds[i]);
			continue;
		}
		for (j = 0; j < cmds[i].nr_subs; j++)
			check_command(&cmds[i].subs[j]);
	}
	for (i = 0; ctl_common_opts[i].name; i++) {
		opt_text(&ctl_common_opts[i], want, sizeof(want));
		t = find("OPTIONS", 0, -1, want);
		tap_ok(t >= 0, "OPTIONS lists \"%s\"", want);
	}
	for (t = 0; t < nr_tags; t++)
		if (!strcmp(tags[t].section, "COMMANDS") && !tags[t].depth &&
		    !tags[t].used)
			tap_ok(0, "the man page documents \"%s\", which is no command",
			       tags[t].text);
	return tap_exit();
}
