/* testimg.h — codes made at test time for the driver tests: a scratch
 * directory, shell commands run in it (qrencode, zint, convert) and images
 * loaded from it; any failure fails the test (cmocka). */
#ifndef QUAN_TESTIMG_H
#define QUAN_TESTIMG_H

#include "drivers/imgload.h"

/* Make the scratch directory /tmp/quan-PREFIX-XXXXXX: 0 or -1. */
int testimg_dir(const char *prefix);
/* Remove it. */
void testimg_rm(void);
/* Run cmd in it. */
void testimg_gen(const char *cmd);
/* Load name from it (caller frees im->px). */
void testimg_load(const char *name, struct img *im);

#endif
