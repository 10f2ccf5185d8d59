/*
 * dir.c — the simulator's folder (quan sim init writes it): paths in DIR,
 * reading a file of it, and the identities of DIR/sim.json.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

char *
sim_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

char *
sim_read_file(const char *path, size_t max, char **cause)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	size_t n;

	if (fp == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	p = xmalloc(max + 1);
	n = fread(p, 1, max, fp);
	fclose(fp);
	p[n] = '\0';
	return p;
}

int
sim_ids_load(const char *dir, struct sim_ids *ids, char **cause)
{
	char *path = sim_path(dir, "sim.json");
	json_t *j;
	json_error_t je;
	const char *mchid = NULL, *appid = NULL, *ms = NULL, *ps = NULL;
	const char *pk = NULL, *ca = NULL;
	json_int_t port = 0;

	memset(ids, 0, sizeof *ids);
	j = json_load_file(path, 0, &je);
	if (j == NULL) {
		*cause = xasprintf("%s: %s (run 'quan sim init %s' first)",
			path, je.text, dir);
		free(path);
		return QUAN_ENOTFOUND;
	}
	if (json_unpack(j, "{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "mchid", &mchid,
	    "appid", &appid, "merchant_serial", &ms, "platform_serial", &ps,
	    "pub_key_id", &pk, "card_appid", &ca, "port", &port) != 0) {
		*cause = xasprintf("%s: missing fields", path);
		json_decref(j);
		free(path);
		return QUAN_ECORRUPT;
	}
	snprintf(ids->mchid, sizeof ids->mchid, "%s", mchid);
	snprintf(ids->appid, sizeof ids->appid, "%s", appid);
	snprintf(ids->merchant_serial, sizeof ids->merchant_serial, "%s", ms);
	snprintf(ids->platform_serial, sizeof ids->platform_serial, "%s", ps);
	snprintf(ids->pub_key_id, sizeof ids->pub_key_id, "%s", pk);
	snprintf(ids->card_appid, sizeof ids->card_appid, "%s", ca);
	ids->port = (unsigned)port;
	{
		const char *b = json_string_value(json_object_get(j,
			"brand_id"));
		const char *bs = json_string_value(json_object_get(j,
			"brand_serial"));
		const char *bk = json_string_value(json_object_get(j,
			"brand_pub_key_id"));

		snprintf(ids->brand_id, sizeof ids->brand_id, "%s", b ? b : "");
		snprintf(ids->brand_serial, sizeof ids->brand_serial, "%s",
			bs ? bs : "");
		snprintf(ids->brand_pub_key_id, sizeof ids->brand_pub_key_id,
			"%s", bk ? bk : "");
	}
	json_decref(j);
	free(path);
	return 0;
}
