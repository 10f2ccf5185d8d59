/*
 * kiosk.c — what only the self-service kiosk draws: the amount in block
 * digits.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <ncursesw/curses.h>

#include "core/evq.h"
#include "core/session.h"
#include "ui/crt.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "ui/ui_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

void
dr_big_text(const char *s, int y, int w)
{
	static const char *const font[12][5] = {
		{ "###", "# #", "# #", "# #", "###" }, /* 0 */
		{ " # ", "## ", " # ", " # ", "###" },
		{ "###", "  #", "###", "#  ", "###" },
		{ "###", "  #", "###", "  #", "###" },
		{ "# #", "# #", "###", "  #", "  #" },
		{ "###", "#  ", "###", "  #", "###" },
		{ "###", "#  ", "###", "# #", "###" },
		{ "###", "  #", "  #", "  #", "  #" },
		{ "###", "# #", "###", "# #", "###" },
		{ "###", "# #", "###", "  #", "###" }, /* 9 */
		{ "   ", "   ", "   ", "   ", " # " }, /* . */
		{ "# #", " # ", "###", " # ", " # " }  /* yen */
	};
	int idx[24], n = 0, i, r, c, x0;
	char row[24 * 4 + 1];

	idx[n++] = 11;
	for (; *s != '\0' && n < 24; s++) {
		if (*s >= '0' && *s <= '9')
			idx[n++] = *s - '0';
		else if (*s == '.')
			idx[n++] = 10;
	}
	if (n * 4 > w)
		return;
	x0 = (w - n * 4) / 2;
	for (r = 0; r < 5; r++) {
		for (i = 0; i < n; i++) {
			for (c = 0; c < 3; c++)
				row[i * 4 + c] = font[idx[i]][r][c];
			row[i * 4 + 3] = ' ';
		}
		row[n * 4] = '\0';
		/* '#' cells as full blocks (U+2588) */
		for (i = 0; row[i] != '\0'; i++)
			mvaddstr(y + r, x0 + i, row[i] == '#' ?
			    "\xe2\x96\x88" : " ");
	}
}
