/*
 * stats.c — requests counted per route and status (by the handler, in
 * memory), flushed into the stats table by the callback thread about
 * once a second and at shutdown.
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

void
sim_stats_count(struct sim *s, const char *route, int status)
{
	char key[128];
	json_t *v;

	snprintf(key, sizeof key, "%s\t%d", route, status);
	pthread_mutex_lock(&s->mu);
	v = json_object_get(s->stats, key);
	json_object_set_new(s->stats, key, json_integer(v ?
		json_integer_value(v) + 1 : 1));
	pthread_mutex_unlock(&s->mu);
}

void
sim_stats_flush(struct sim *s)
{
	static const char sql[] =
		"INSERT INTO stats(endpoint, status, n) VALUES (?1, ?2, ?3) "
		"ON CONFLICT(endpoint, status) DO UPDATE SET n = n + ?3";
	const char *key;
	json_t *v;

	if (json_object_size(s->stats) == 0)
		return;
	simdb_begin(s->db);
	json_object_foreach(s->stats, key, v) {
		const char *tab = strchr(key, '\t');
		json_t *p;

		if (tab == NULL)
			continue;
		p = json_pack("[s#IO]", key, (int)(tab - key),
			(json_int_t)strtoll(tab + 1, NULL, 10), v);
		simdb_run(s->db, sql, p, NULL);
		json_decref(p);
	}
	simdb_commit(s->db);
	json_object_clear(s->stats);
}
