/*
 * test_pcoupon_import.c — the 商品券 import document, with the real store:
 * a file is taken as the back office states it now (a coupon may move
 * back, e.g. EFFECTIVE after a return); what came from another lane (the
 * store hub, PC_IMPORT_FORWARD) only moves a coupon forward and never
 * undoes a use made here; the rows a lane was sent and confirmed are
 * listed in keyset order, none lost or repeated in one second; exported
 * rows read back as the same rows; a bad document writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/pcoupon_import.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define NOW 1772596800 /* 2026-03-04 12:00 +08:00 */

struct fx {
	char dir[64];
	struct store *st;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	char *cause = NULL, *db;

	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	snprintf(f->dir, sizeof f->dir, "/tmp/quan-pcimp-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	db = xasprintf("%s/quan.db", f->dir);
	assert_int_equal(store_open(db, 0, &f->st, &cause), 0);
	free(db);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_close(f->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct pc_coupon
coupon(const char *code, enum pc_state state)
{
	struct pc_coupon c;

	memset(&c, 0, sizeof c);
	snprintf(c.code, sizeof c.code, "%s", code);
	snprintf(c.stock_id, sizeof c.stock_id, "S1");
	snprintf(c.product_coupon_id, sizeof c.product_coupon_id, "P1");
	snprintf(c.brand_id, sizeof c.brand_id, "120344");
	snprintf(c.appid, sizeof c.appid, "wx233544546545989");
	snprintf(c.openid, sizeof c.openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	c.state = state;
	c.valid_begin = NOW - 86400;
	c.valid_end = NOW + 86400;
	return c;
}

static void
import_text(struct fx *f, const char *doc, int flags, int want)
{
	struct pc_import_counts n;
	char *cause = NULL;

	assert_int_equal(import_product_text(f->st, doc, strlen(doc), "doc",
	    NOW, flags, &n, &cause), want);
	free(cause);
}

static enum pc_state
state_of(struct fx *f, const char *code)
{
	struct pc_coupon c;

	assert_int_equal(store_pc_get(f->st, code, "S1", &c), 0);
	return c.state;
}

static const char used_doc[] = "{\"coupons\":[{\"coupon_code\":\"C1\","
    "\"openid\":\"o1\",\"appid\":\"wx1\",\"product_coupon_id\":\"P1\","
    "\"stock_id\":\"S1\",\"coupon_state\":\"USED\"}]}";
static const char effective_doc[] = "{\"coupons\":[{\"coupon_code\":\"C1\","
    "\"openid\":\"o1\",\"appid\":\"wx1\",\"product_coupon_id\":\"P1\","
    "\"stock_id\":\"S1\",\"coupon_state\":\"EFFECTIVE\"}]}";

static void
test_a_file_states_the_coupon_as_the_back_office_knows_it(void **state)
{
	struct fx *f = *state;

	import_text(f, used_doc, 0, QUAN_OK);
	assert_int_equal(state_of(f, "C1"), PC_ST_USED);
	/* returned at the back office: usable again */
	import_text(f, effective_doc, 0, QUAN_OK);
	assert_int_equal(state_of(f, "C1"), PC_ST_EFFECTIVE);
}

static void
test_another_lane_never_undoes_a_use_made_here(void **state)
{
	struct fx *f = *state;
	struct pc_coupon c;

	import_text(f, used_doc, 0, QUAN_OK);
	/* an older row of the same coupon, passed on by another lane */
	import_text(f, effective_doc, PC_IMPORT_FORWARD, QUAN_OK);
	assert_int_equal(state_of(f, "C1"), PC_ST_USED);
	/* a new coupon from the hub is marked as the hub's */
	import_text(f, "{\"coupons\":[{\"coupon_code\":\"C2\",\"openid\":"
	    "\"o2\",\"appid\":\"wx1\",\"product_coupon_id\":\"P1\","
	    "\"stock_id\":\"S1\"}]}", PC_IMPORT_FORWARD, QUAN_OK);
	assert_int_equal(store_pc_get(f->st, "C2", "S1", &c), 0);
	assert_int_equal(c.state, PC_ST_EFFECTIVE);
	assert_int_equal(c.source, PC_SRC_HUB);
}

static void
test_a_bad_document_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct pc_coupon c;

	/* the second record has no openid: the first is not written */
	import_text(f, "{\"coupons\":[{\"coupon_code\":\"C3\",\"openid\":"
	    "\"o3\",\"appid\":\"wx1\",\"product_coupon_id\":\"P1\","
	    "\"stock_id\":\"S1\"},{\"coupon_code\":\"C4\",\"appid\":\"wx1\","
	    "\"product_coupon_id\":\"P1\",\"stock_id\":\"S1\"}]}",
	    PC_IMPORT_FORWARD, QUAN_EINVAL);
	assert_int_equal(store_pc_get(f->st, "C3", "S1", &c), QUAN_ENOTFOUND);
	import_text(f, "{\"coupons\":[", PC_IMPORT_FORWARD, QUAN_EINVAL);
	import_text(f, "[]", PC_IMPORT_FORWARD, QUAN_EINVAL);
}

static void
test_exported_rows_read_back_as_the_same_rows(void **state)
{
	struct fx *f = *state;
	struct pc_coupon in[2], out;
	char *doc;

	in[0] = coupon("E1", PC_ST_EFFECTIVE);
	snprintf(in[0].confirm_request_no, sizeof in[0].confirm_request_no,
	    "CONF1");
	in[0].receive_time = NOW - 3600;
	in[1] = coupon("E2", PC_ST_EFFECTIVE);
	snprintf(in[1].stock_bundle_id, sizeof in[1].stock_bundle_id, "SB1");
	snprintf(in[1].user_coupon_bundle_id,
	    sizeof in[1].user_coupon_bundle_id, "UB1");
	in[1].bundle_index = 1;
	in[1].bundle_total = 3;
	in[1].bundle_used = 1;
	doc = pc_coupons_export(in, 2);
	assert_non_null(doc);
	import_text(f, doc, PC_IMPORT_FORWARD, QUAN_OK);
	free(doc);
	assert_int_equal(store_pc_get(f->st, "E1", "S1", &out), 0);
	assert_string_equal(out.openid, in[0].openid);
	assert_string_equal(out.appid, in[0].appid);
	assert_string_equal(out.brand_id, in[0].brand_id);
	assert_string_equal(out.product_coupon_id, "P1");
	assert_string_equal(out.confirm_request_no, "CONF1");
	assert_int_equal(out.valid_begin, in[0].valid_begin);
	assert_int_equal(out.valid_end, in[0].valid_end);
	assert_int_equal(out.receive_time, in[0].receive_time);
	assert_int_equal(out.state, PC_ST_EFFECTIVE);
	assert_int_equal(store_pc_get(f->st, "E2", "S1", &out), 0);
	assert_string_equal(out.stock_bundle_id, "SB1");
	assert_string_equal(out.user_coupon_bundle_id, "UB1");
	assert_int_equal(out.bundle_index, 1);
	assert_int_equal(out.bundle_total, 3);
	assert_int_equal(out.bundle_used, 1);
}

static void
test_confirmed_sent_coupons_are_listed_once_in_order(void **state)
{
	struct fx *f = *state;
	struct store_pc_key k;
	struct pc_coupon c, rows[4];
	const char *codes[] = {"K3", "K1", "K2", "K4"};
	int i, n;

	/* K1..K3 sent and confirmed in the same second, K4 a second later;
	 * K5 sent but not confirmed; K6 imported (not sent here) */
	for (i = 0; i < 4; i++) {
		c = coupon(codes[i], PC_ST_CONFIRMING);
		assert_int_equal(store_pc_notified(f->st, &c, NOW), 0);
		assert_int_equal(store_pc_confirmed(f->st, codes[i], "S1",
		    "CR", PC_ST_EFFECTIVE, i == 3 ? NOW + 1 : NOW), 0);
	}
	c = coupon("K5", PC_ST_CONFIRMING);
	assert_int_equal(store_pc_notified(f->st, &c, NOW), 0);
	c = coupon("K6", PC_ST_EFFECTIVE);
	c.confirmed_at = NOW;
	c.source = PC_SRC_IMPORT;
	assert_int_equal(store_pc_put(f->st, &c, 1), 0);

	memset(&k, 0, sizeof k);
	assert_int_equal(store_pc_confirmed_after(f->st, &k, rows, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].code, "K1");
	assert_string_equal(rows[1].code, "K2");
	/* the cursor at K2 (same second as K3): K3 is next, not lost */
	k.confirmed_at = rows[1].confirmed_at;
	snprintf(k.code, sizeof k.code, "%s", rows[1].code);
	snprintf(k.stock_id, sizeof k.stock_id, "%s", rows[1].stock_id);
	assert_int_equal(store_pc_confirmed_after(f->st, &k, rows, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].code, "K3");
	assert_string_equal(rows[1].code, "K4");
	k.confirmed_at = rows[1].confirmed_at;
	snprintf(k.code, sizeof k.code, "%s", rows[1].code);
	assert_int_equal(store_pc_confirmed_after(f->st, &k, rows, 4, &n), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(
		    test_a_file_states_the_coupon_as_the_back_office_knows_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_another_lane_never_undoes_a_use_made_here, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_bad_document_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_exported_rows_read_back_as_the_same_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_confirmed_sent_coupons_are_listed_once_in_order,
		    setup, teardown),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
