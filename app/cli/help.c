/*
 * help.c — prints the help pages of help.h (the generated table).
 */
#include <string.h>

#include "cli/help.h"

const struct help_page *
help_find(const char *name)
{
	size_t i;

	for (i = 0; help_pages[i] != NULL; i++)
		if (strcmp(help_pages[i]->name, name) == 0)
			return help_pages[i];
	return NULL;
}

void
help_print_usage(FILE *fp, const struct help_page *p)
{
	const char *s = p->usage, *nl;
	int first = 1;

	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			break;
		if (strncmp(s, "quan", 4) == 0) {
			fputs(first ? "usage: " : "       ", fp);
			first = 0;
		}
		fwrite(s, 1, (size_t)(nl - s + 1), fp);
	}
}

/* Does the '|'-separated list hold the word w (n bytes)? */
static int
word_in(const char *list, const char *w, size_t n)
{
	size_t k;

	while (*list != '\0') {
		k = strcspn(list, "|");
		if (k == n && strncmp(list, w, n) == 0)
			return 1;
		list += k + (list[k] == '|');
	}
	return 0;
}

/* What the command list shows of a page's usage: the arguments of its one
 * form, or the sub-commands of several ("serve|register ..."). */
static void
list_args(const struct help_page *p, char *out, size_t size)
{
	const char *s, *e, *w;
	size_t skip = strlen("quan ") + strlen(p->name), n, len = 0;
	int forms = 0;

	for (s = p->usage; (e = strchr(s, '\n')) != NULL; s = e + 1)
		forms += strncmp(s, "quan ", 5) == 0;
	out[0] = '\0';
	for (s = p->usage; (e = strchr(s, '\n')) != NULL; s = e + 1) {
		if (strncmp(s, "quan ", 5) != 0 || (size_t)(e - s) <= skip)
			continue;
		w = s + skip + 1;
		n = forms == 1 ? (size_t)(e - w) : strcspn(w, " \n");
		if (forms > 1 && word_in(out, w, n))
			continue;
		if (len + n + 6 > size)
			break;
		if (len > 0)
			out[len++] = '|';
		memcpy(out + len, w, n);
		len += n;
		out[len] = '\0';
	}
	if (forms > 1)
		memcpy(out + len, " ...", 5);
}

/* "  name  ARGS  summary" for every command */
static void
print_commands(FILE *fp)
{
	const struct help_page *p;
	char args[256];
	size_t i;

	for (i = 0; (p = help_pages[i]) != NULL; i++) {
		if (strcmp(p->name, "quan") == 0 ||
		    strcmp(p->name, "quan.conf") == 0)
			continue;
		list_args(p, args, sizeof args);
		/* a long usage gets its summary on the next line */
		if (strlen(args) > 34)
			fprintf(fp, "  %-10s %s\n  %-10s %-34s %s\n", p->name,
			    args, "", "", p->summary);
		else
			fprintf(fp, "  %-10s %-34s %s\n", p->name, args,
			    p->summary);
	}
}

void
help_print(FILE *fp, const struct help_page *p)
{
	const char *s, *nl;

	help_print_usage(fp, p);
	fprintf(fp, "%s%s\n", p->usage[0] != '\0' ? "\n" : "", p->summary);
	if (p->body[0] != '\0')
		fputc('\n', fp);
	for (s = p->body; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			break;
		if (strncmp(s, "@COMMANDS@\n", 11) == 0)
			print_commands(fp);
		else
			fwrite(s, 1, (size_t)(nl - s + 1), fp);
	}
}
