/* session_events.h — for the core tests that drive the terminal session
 * as a front-end does: a semantic key (with the input field's text) and a
 * scanned code, dispatched as events. */
#ifndef QUAN_TEST_SESSION_EVENTS_H
#define QUAN_TEST_SESSION_EVENTS_H

#include <stdio.h>
#include <string.h>

#include "core/session.h"

static inline void
ev_key(struct session *s, enum session_cmd cmd, const char *text)
{
	struct ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = EV_KEY;
	ev.u.key.cmd = cmd;
	snprintf(ev.u.key.text, sizeof ev.u.key.text, "%s", text);
	session_dispatch(s, &ev);
}

static inline void
ev_scan(struct session *s, const char *code)
{
	struct ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = EV_SCAN;
	ev.u.scan.source = SCAN_SRC_STDIN;
	snprintf(ev.u.scan.text, sizeof ev.u.scan.text, "%s", code);
	memcpy(ev.u.scan.raw, code, strlen(code));
	ev.u.scan.raw_len = strlen(code);
	session_dispatch(s, &ev);
}

#endif
