/* test_config.c — the INI loader: defaults, every section, errors that name
 * file:line:key, key-file permissions, data-dir creation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/config.h"
#include "util/err.h"
#include "util/xmem.h"

static char tmpdir[64];

static char *
write_file(const char *name, const char *text, mode_t mode)
{
	char *p = NULL;
	FILE *fp;

	p = xasprintf("%s/%s", tmpdir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(p, mode);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/quan-cfg-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static void
test_defaults(void **state)
{
	struct config *c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c->term_id, "T01");
	assert_string_equal(c->timezone, "Asia/Shanghai");
	assert_int_equal(c->off_max_coupon_fen, 10000);
	assert_int_equal(c->off_max_per_hour, 30);
	assert_int_equal(c->off_default_policy,
	    CONFIG_POLICY_OFFLINE_KNOWN_ONLY);
	assert_int_equal(c->wx_online_wait_ms, 3000);
	config_free(c);
}

static void
test_full(void **state)
{
	struct config *c = NULL;
	char *cause = NULL, *p;
	const struct config_target *t;

	(void)state;
	p = write_file("full.ini",
	    "[terminal]\nid = T02\nstore_id = S9\ntimezone = +08:00\n"
	    "language = en\nlog_level = debug\n"
	    "[wechatpay]\nmchid = 1900000001 ; comment\nappid = wx1\n"
	    "private_key = merchant/key.pem\napiv3_key = /abs/v3.key\n"
	    "base_url = https://127.0.0.1:8443\nonline_wait_ms = 100\n"
	    "[card]\nappid = wxc\nsecret = card.secret\ntoken_url =\n"
	    "[offline]\nmax_coupon_fen = 500\nmax_per_hour = 2\n"
	    "max_exposure_fen = 900\nmax_cache_age_s = 60\n"
	    "default_policy = online_only\n"
	    "[stock \"1212\"]\npolicy = offline_ok\nprefix = QA\n"
	    "min_len = 10\nmax_len = 32\ncharset = alnum\nper_txn = 2\n"
	    "[card:pABC]\npolicy = offline_known_only\n"
	    "[scanner]\nsource = stdin\nsource = evdev:/dev/input/event3\n"
	    "dedupe_ms = 800\nmax_len = 512\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_null(cause);
	assert_string_equal(c->term_id, "T02");
	assert_string_equal(c->wx_mchid, "1900000001");
	assert_int_equal(c->log_level, LOG_DEBUG);
	assert_string_equal(c->wx_apiv3_key, "/abs/v3.key");
	assert_non_null(strstr(c->wx_private_key, "/merchant/key.pem"));
	assert_true(strncmp(c->wx_private_key, tmpdir, strlen(tmpdir)) == 0);
	assert_int_equal(c->off_max_per_hour, 2);
	assert_int_equal(c->off_max_exposure_fen, 900);
	assert_int_equal(c->ntargets, 2);
	t = config_target_find(c, CONFIG_STOCK, "1212");
	assert_non_null(t);
	assert_string_equal(t->prefix, "QA");
	assert_int_equal(t->per_txn, 2);
	assert_int_equal(t->charset, CONFIG_CHARSET_ALNUM);
	assert_int_equal(config_policy_of(c, CONFIG_STOCK, "1212"),
	    CONFIG_POLICY_OFFLINE_OK);
	assert_int_equal(config_policy_of(c, CONFIG_CARD, "pABC"),
	    CONFIG_POLICY_OFFLINE_KNOWN_ONLY);
	assert_int_equal(config_policy_of(c, CONFIG_STOCK, "other"),
	    CONFIG_POLICY_ONLINE_ONLY);
	assert_int_equal(c->nscan_sources, 2);
	assert_string_equal(c->scan_sources[1], "evdev:/dev/input/event3");
	assert_int_equal(c->scan_dedupe_ms, 800);
	assert_int_equal(c->scan_max_len, 512);
	config_free(c);
	free(p);
}

/* Each bad file must fail and the cause must name file:line: key. */
static void
expect_error(const char *text, const char *want)
{
	struct config *c = NULL;
	char *cause = NULL, *p = write_file("bad.ini", text, 0644);

	assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
	assert_null(c);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	assert_non_null(strstr(cause, p));
	free(cause);
	free(p);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("[terminal]\nid = T01\nidd = x\n", ":3: idd: unknown key");
	expect_error("[termnal]\nid = T01\n", ":1: termnal: unknown section");
	expect_error("[terminal]\nid = T-01\n", ":2: id:");
	expect_error("[terminal]\nid = 123456789\n", ":2: id:");
	expect_error("\n\n[offline]\nmax_per_hour = ten\n",
	    ":4: max_per_hour:");
	expect_error("[offline]\nmax_coupon_fen = -1\n", ":2: max_coupon_fen");
	expect_error("[offline]\ndefault_policy = sometimes\n",
	    ":2: default_policy");
	expect_error("[terminal]\ntimezone = Mars/Base\n", ":2: timezone");
	expect_error("[wechatpay]\nbase_url = ftp://x\n", ":2: base_url");
	/* plain http would leave the till offline for ever (issue 9) */
	expect_error("[wechatpay]\nmchid = 1\n\nbase_url = http://127.0.0.1"
	    ":8443\n", ":4: base_url: 'http://127.0.0.1:8443' is not an "
	    "https:// URL");
	expect_error("[card]\nbase_url = http://api.weixin.qq.com\n",
	    ":2: base_url");
	expect_error("[card]\ntoken_url = http://tokens.local/t\n",
	    ":2: token_url");
	expect_error("[stock \"12 12\"]\npolicy = offline_ok\n", ":1: stock");
	expect_error("[stock \"1\"]\ncolour = red\n", ":2: colour: unknown");
	expect_error("[stock \"1\"]\nmin_len = 20\nmax_len = 10\n",
	    ":3: max_len");
	expect_error("[terminal]\nthis line is wrong\n", ":2: syntax error");
	expect_error("[scanner]\ndedupe_ms = -5\n", ":2: dedupe_ms");
	expect_error("[terminal]\nid = T1\n[bogus]\n", ":3: bogus: unknown");
}

static void
test_bare_section(void **state)
{
	struct config *c = NULL;
	char *cause = NULL, *p;

	(void)state;
	p = write_file("bare.ini", "[offline]\ndefault_policy = online_only\n"
	    "[stock \"77\"]\n[card:pQ]\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_int_equal(c->ntargets, 2);
	assert_non_null(config_target_find(c, CONFIG_STOCK, "77"));
	assert_non_null(config_target_find(c, CONFIG_CARD, "pQ"));
	assert_int_equal(config_target_find(c, CONFIG_STOCK, "77")->per_txn, 1);
	config_free(c);
	free(p);
}

static void
test_missing_file(void **state)
{
	struct config *c = NULL;
	char *cause = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/quan.ini", &c, &cause),
	    QUAN_ECONFIG);
	assert_non_null(strstr(cause, "/nonexistent/quan.ini"));
	free(cause);
}

static void
test_key_file(void **state)
{
	char *cause = NULL;
	char *p = write_file("key.pem", "secret", 0600);

	(void)state;
	assert_int_equal(config_check_key_file(p, &cause), 0);
	chmod(p, 0640);
	assert_int_equal(config_check_key_file(p, &cause), QUAN_EPERM);
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	cause = NULL;
	chmod(p, 0604);
	assert_int_equal(config_check_key_file(p, &cause), QUAN_EPERM);
	free(cause);
	cause = NULL;
	assert_int_equal(config_check_key_file("/nonexistent/k", &cause),
	    QUAN_ENOTFOUND);
	free(cause);
	free(p);
}

/* A config or trust file others can write is refused (issue 9): the
 * config names the WeChat URL and the CA, a trust file says who WeChat
 * is. Readable by others is fine for both (no secrets). */
static void
test_writable_files(void **state)
{
	struct config *c = NULL;
	char *cause = NULL, *p;

	(void)state;
	p = write_file("open.ini", "[terminal]\nid = T01\n", 0664);
	assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
	assert_null(c);
	assert_non_null(strstr(cause, "chmod go-w"));
	assert_non_null(strstr(cause, p));
	free(cause);
	cause = NULL;
	chmod(p, 0646);
	assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
	free(cause);
	cause = NULL;
	chmod(p, 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	config_free(c);
	free(p);
	p = write_file("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	assert_int_equal(config_check_trust_file(p, &cause), 0);
	chmod(p, 0664);
	assert_int_equal(config_check_trust_file(p, &cause), QUAN_EPERM);
	assert_non_null(strstr(cause, "chmod go-w"));
	free(cause);
	cause = NULL;
	chmod(p, 0602);
	assert_int_equal(config_check_trust_file(p, &cause), QUAN_EPERM);
	free(cause);
	cause = NULL;
	assert_int_equal(config_check_trust_file("", &cause), 0);
	assert_int_equal(config_check_trust_file("/nonexistent/ca.pem",
	    &cause), QUAN_ENOTFOUND);
	free(cause);
	free(p);
}

static void
test_data_dir(void **state)
{
	char *d = NULL, *cause = NULL, *want = NULL;
	struct stat st;

	(void)state;
	want = xasprintf("%s/a/b/quan", tmpdir);
	assert_int_equal(config_data_dir(want, &d, &cause), 0);
	assert_string_equal(d, want);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(d);
	setenv("QUAN_DATA", want, 1);
	assert_int_equal(config_data_dir(NULL, &d, &cause), 0);
	assert_string_equal(d, want);
	free(d);
	unsetenv("QUAN_DATA");
	free(want);
	want = xasprintf("%s", tmpdir);
	setenv("XDG_DATA_HOME", want, 1);
	assert_int_equal(config_data_dir(NULL, &d, &cause), 0);
	assert_non_null(strstr(d, "/quan"));
	free(d);
	free(want);
	/* a folder made earlier with 0755 is tightened to 0700 (issue 9:
	 * quan.db holds codes and openids) */
	want = xasprintf("%s/loose", tmpdir);
	assert_int_equal(mkdir(want, 0755), 0);
	assert_int_equal(chmod(want, 0755), 0);
	assert_int_equal(config_data_dir(want, &d, &cause), 0);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(d);
	free(want);
	/* a file in the way is a clear error */
	free(write_file("afile", "x", 0600));
	want = xasprintf("%s/afile/sub", tmpdir);
	assert_int_not_equal(config_data_dir(want, &d, &cause), 0);
	assert_non_null(cause);
	free(cause);
	free(want);
}

/* [pay]: defaults, v2 with its key (0600, checked at load with
 * file:line), and every bad value named. */
static void
test_pay_section(void **state)
{
	static const struct {
		const char *text;
		const char *want;     /* in the cause */
	} bad[] = {
		{ "[pay]\napi = v4\n", ":2: api: 'v4' is not v3 or v2" },
		{ "[pay]\ndeadline_s = 5\n", ":2: deadline_s:" },
		{ "[pay]\ndeadline_s = 601\n", ":2: deadline_s:" },
		{ "[pay]\nquery_interval_ms = 100\n",
		    ":2: query_interval_ms:" },
		{ "[pay]\nv2_sign_type = SHA1\n", ":2: v2_sign_type:" },
		{ "[pay]\n\nv2_key_file = open.key\n",
		    ":3: v2_key_file: " },
		{ "[pay]\nv2_key_file = missing.key\n",
		    ":2: v2_key_file: " },
		{ "[pay]\napi = v2\n", "api = v2 needs v2_key_file" },
		{ "[pay]\nbogus = 1\n", ":2: bogus" },
	};
	struct config *c = NULL;
	char *cause = NULL, *p, *k;
	size_t i;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c->pay_api, CONFIG_PAY_V3);
	assert_int_equal(c->pay_deadline_s, 45);
	assert_int_equal(c->pay_query_interval_ms, 5000);
	assert_int_equal(c->pay_v2_md5, 0);
	assert_string_equal(c->pay_v2_key_file, "");
	config_free(c);
	k = write_file("apiv2.key", "192006250b4c09247ec02edce69f6a2d\n",
	    0600);
	free(write_file("open.key", "192006250b4c09247ec02edce69f6a2d\n",
	    0644));
	p = write_file("pay.ini", "[pay]\napi = v2\nv2_key_file = apiv2.key\n"
	    "v2_cert = cert.pem\nv2_sign_type = MD5\ndeadline_s = 30\n"
	    "query_interval_ms = 2000\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_int_equal(c->pay_api, CONFIG_PAY_V2);
	assert_string_equal(c->pay_v2_key_file, k);
	assert_non_null(strstr(c->pay_v2_cert, "/cert.pem"));
	assert_int_equal(c->pay_v2_md5, 1);
	assert_int_equal(c->pay_deadline_s, 30);
	assert_int_equal(c->pay_query_interval_ms, 2000);
	config_free(c);
	free(p);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = NULL;
		p = write_file("paybad.ini", bad[i].text, 0644);
		assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
		assert_null(c);
		if (strstr(cause, bad[i].want) == NULL)
			fail_msg("%s: got '%s'", bad[i].text, cause);
		free(cause);
		cause = NULL;
		free(p);
	}
	/* the refused key file says how to fix it */
	p = write_file("paybad.ini", "[pay]\nv2_key_file = open.key\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	free(p);
	free(k);
}

/* [printer]: defaults, the three device kinds, bad values named. */
static void
test_printer_section(void **state)
{
	static const char *const bad[][2] = {
		{ "[printer]\ndevice = lp0\n", ":2: device: 'lp0' is not" },
		{ "[printer]\ndevice = tcp:\n", ":2: device:" },
		{ "[printer]\ndevice = file:\n", ":2: device:" },
		{ "[printer]\nwidth_mm = 76\n", ":2: width_mm: '76' is not 58" },
		{ "[printer]\ntimeout_ms = 10\n", ":2: timeout_ms:" },
		{ "[printer]\nstatus_ms = -1\n", ":2: status_ms:" },
		{ "[printer]\npaper = 1\n", ":2: paper" },
	};
	struct config *c = NULL;
	char *cause = NULL, *p;
	size_t i;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c->printer_device, "");
	assert_int_equal(c->printer_width_mm, 58);
	assert_int_equal(c->printer_timeout_ms, 3000);
	assert_int_equal(c->printer_status_ms, 500);
	config_free(c);
	p = write_file("printer.ini", "[printer]\ndevice = tcp:10.0.0.9:9100\n"
	    "width_mm = 80\nheader = quan测试店\ntimeout_ms = 1500\n"
	    "status_ms = 0\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_string_equal(c->printer_device, "tcp:10.0.0.9:9100");
	assert_int_equal(c->printer_width_mm, 80);
	assert_string_equal(c->printer_header, "quan测试店");
	assert_int_equal(c->printer_timeout_ms, 1500);
	assert_int_equal(c->printer_status_ms, 0);
	config_free(c);
	free(p);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = NULL;
		p = write_file("prbad.ini", bad[i][0], 0644);
		assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
		assert_null(c);
		if (strstr(cause, bad[i][1]) == NULL)
			fail_msg("%s: got '%s'", bad[i][0], cause);
		free(cause);
		cause = NULL;
		free(p);
	}
}

/* [product_coupon]: off by default; both modes with what each needs
 * (keys 0600 or refused with file:line), every bad value named. */
static void
test_product_coupon_section(void **state)
{
	static const char *const bad[][2] = {
		{ "[product_coupon]\nmode = direct\n",
		    ":2: mode: 'direct' is not partner or brand" },
		{ "[product_coupon]\nbrand_id = 12a\n", ":2: brand_id:" },
		{ "[product_coupon]\nbase_url = http://x\n", ":2: base_url:" },
		{ "[product_coupon]\nprivate_key = pcopen.key\n",
		    ":2: private_key: " },
		{ "[product_coupon]\n\napi_key = pcopen.key\n",
		    ":3: api_key: " },
		{ "[product_coupon]\nmode = brand\nbrand_id = 1\n",
		    "mode = brand needs appid" },
		{ "[product_coupon]\nmode = brand\nbrand_id = 1\nappid = w\n"
		    "brand_serial = AB\nprivate_key = pc.key\n",
		    "mode = brand needs public_key_id" },
		{ "[product_coupon]\nmode = partner\nbrand_id = 1\n"
		    "appid = w\n", "mode = partner needs [wechatpay] mchid" },
		{ "[product_coupon]\nmode = partner\nappid = w\n",
		    "needs brand_id" },
		{ "[product_coupon]\nsecret = x\n", ":2: secret" },
	};
	struct config *c = NULL;
	char *cause = NULL, *p, *k, *ak;
	size_t i;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c->pc_mode, CONFIG_PC_OFF);
	assert_string_equal(c->pc_brand_id, "");
	assert_string_equal(c->pc_base_url, "");
	config_free(c);
	k = write_file("pc.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	ak = write_file("pcapi.key", "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb\n",
	    0600);
	free(write_file("pcopen.key", "x\n", 0640));
	p = write_file("pcb.ini", "[product_coupon]\nmode = brand\n"
	    "brand_id = 120344\nappid = wx233544546545989\n"
	    "brand_serial = 408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\n"
	    "private_key = pc.key\npublic_key_id = PUB_KEY_ID_0001\n"
	    "public_key = brand_pub.pem\napi_key = pcapi.key\n"
	    "base_url = https://127.0.0.1:9\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_int_equal(c->pc_mode, CONFIG_PC_BRAND);
	assert_string_equal(c->pc_brand_id, "120344");
	assert_string_equal(c->pc_private_key, k);
	assert_string_equal(c->pc_api_key, ak);
	assert_non_null(strstr(c->pc_public_key, "/brand_pub.pem"));
	assert_string_equal(c->pc_base_url, "https://127.0.0.1:9");
	config_free(c);
	free(p);
	p = write_file("pcp.ini", "[wechatpay]\nmchid = 1900007291\n"
	    "private_key = pc.key\n[product_coupon]\nmode = partner\n"
	    "brand_id = 120344\nappid = wx2\n", 0644);
	assert_int_equal(config_load(p, &c, &cause), 0);
	assert_int_equal(c->pc_mode, CONFIG_PC_PARTNER);
	config_free(c);
	free(p);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = NULL;
		p = write_file("pcbad.ini", bad[i][0], 0644);
		assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
		assert_null(c);
		if (strstr(cause, bad[i][1]) == NULL)
			fail_msg("%s: got '%s'", bad[i][0], cause);
		free(cause);
		cause = NULL;
		free(p);
	}
	/* the refused key file says how to fix it */
	p = write_file("pcbad.ini", "[product_coupon]\napi_key = pcopen.key\n",
	    0644);
	assert_int_equal(config_load(p, &c, &cause), QUAN_ECONFIG);
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	free(p);
	free(k);
	free(ak);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bare_section),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_writable_files),
		cmocka_unit_test(test_data_dir),
		cmocka_unit_test(test_pay_section),
		cmocka_unit_test(test_printer_section),
		cmocka_unit_test(test_product_coupon_section),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
