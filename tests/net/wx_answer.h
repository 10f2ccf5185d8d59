/* wx_answer.h — for the net tests whose scripted WeChat answers a sync
 * job: the answer (HTTP status, error code) becomes a result through the
 * mapping production runs (sync_wx_from_wxpay, checked itself by
 * test_sync_wx.c), not through a copy of it. */
#ifndef QUAN_TEST_WX_ANSWER_H
#define QUAN_TEST_WX_ANSWER_H

#include <stdio.h>

#include "net/sync_wx_int.h"

static inline void
wx_answer(long http, const char *code, struct sync_result *res)
{
	struct wxpay_result r;

	wxpay_result_init(&r);
	r.http = http;
	r.sent = 1;
	snprintf(r.code, sizeof r.code, "%s", code);
	sync_wx_from_wxpay(&r, 1, res);
	wxpay_result_free(&r);
}

#endif
