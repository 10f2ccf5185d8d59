/*
 * test_hub_dsn.c — the store hub's connection rules (hub_dsn_check),
 * checked before anything connects: no password in the configuration, a
 * passfile only its owner reads, TLS to any host that is not this machine.
 */
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

#include "hub/hub.h"
#include "util/err.h"

static int
check(const char *dsn, const char *want_words)
{
	char *cause = NULL;
	int rc = hub_dsn_check(dsn, &cause);

	if (want_words != NULL) {
		assert_non_null(cause);
		if (strstr(cause, want_words) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", dsn, cause,
			    want_words);
		assert_null(strstr(cause, "s3cret"));
	}
	free(cause);
	return rc;
}

static void
test_local_hosts_need_no_tls(void **state)
{
	(void)state;
	assert_int_equal(check("dbname=quanhub", NULL), 0);
	assert_int_equal(check("host=/var/run/postgresql dbname=q", NULL), 0);
	assert_int_equal(check("host=localhost dbname=q", NULL), 0);
	assert_int_equal(check("host=127.0.0.1 port=5433", NULL), 0);
	assert_int_equal(check("host=::1", NULL), 0);
	assert_int_equal(check("postgresql://localhost/quanhub", NULL), 0);
}

static void
test_remote_hosts_need_tls(void **state)
{
	(void)state;
	assert_int_equal(check("host=hub.lan dbname=q", "TLS is required"),
	    QUAN_ECONFIG);
	assert_int_equal(check("host=hub.lan sslmode=prefer", "sslmode=prefer"),
	    QUAN_ECONFIG);
	assert_int_equal(check("host=hub.lan sslmode=disable", "TLS"),
	    QUAN_ECONFIG);
	assert_int_equal(check("host=127.0.0.1,hub.lan", "TLS"),
	    QUAN_ECONFIG);
	assert_int_equal(check("host=localhost hostaddr=10.1.2.3", "TLS"),
	    QUAN_ECONFIG);
	assert_int_equal(check("postgresql://hub.lan/q", "TLS"),
	    QUAN_ECONFIG);
	assert_int_equal(check("host=hub.lan sslmode=require", NULL), 0);
	assert_int_equal(check("host=hub.lan sslmode=verify-ca", NULL), 0);
	assert_int_equal(check("postgresql://hub.lan/q?sslmode=verify-full",
	    NULL), 0);
}

static void
test_no_password_in_the_dsn(void **state)
{
	(void)state;
	assert_int_equal(check("host=127.0.0.1 password=s3cret",
	    "no password="), QUAN_ECONFIG);
	assert_int_equal(check("postgresql://u:s3cret@localhost/q",
	    "no password="), QUAN_ECONFIG);
}

static void
test_passfile_is_owners_only(void **state)
{
	char path[] = "/tmp/quan-test-pgpass-XXXXXX", dsn[128];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 passfile=%s", path);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(check(dsn, NULL), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(check(dsn, "chmod 600"), QUAN_ECONFIG);
	unlink(path);
}

static void
test_garbage_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check("", "empty"), QUAN_ECONFIG);
	assert_int_equal(check("host=127.0.0.1 port", "dsn"), QUAN_ECONFIG);
	assert_int_equal(check("nokey=1", "dsn"), QUAN_ECONFIG);
	assert_int_equal(check("host='unterminated", "dsn"), QUAN_ECONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_hosts_need_no_tls),
		cmocka_unit_test(test_remote_hosts_need_tls),
		cmocka_unit_test(test_no_password_in_the_dsn),
		cmocka_unit_test(test_passfile_is_owners_only),
		cmocka_unit_test(test_garbage_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
