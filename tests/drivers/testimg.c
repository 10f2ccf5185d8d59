/* testimg.c — see testimg.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "testimg.h"
#include "util/xmem.h"

static char dir[64];

int
testimg_dir(const char *prefix)
{
	snprintf(dir, sizeof dir, "/tmp/quan-%s-XXXXXX", prefix);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

void
testimg_rm(void)
{
	char *c = xasprintf("rm -rf %s", dir);

	if (system(c) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(c);
}

void
testimg_gen(const char *cmd)
{
	char *c = xasprintf("cd %s && %s", dir, cmd);

	assert_int_equal(system(c), 0);
	free(c);
}

void
testimg_load(const char *name, struct img *im)
{
	char *p = xasprintf("%s/%s", dir, name), *cause = NULL;

	assert_int_equal(img_load(p, im, &cause), 0);
	free(p);
}
