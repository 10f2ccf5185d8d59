/*
 * session_staff.c — who may log in: DATA/staff, one person per line
 * "id role iterations salt_hex hash_hex", PINs kept only as PBKDF2-HMAC-
 * SHA256 of a random salt. Rewritten whole through a temporary file and
 * rename(2), mode 0600. The lockout after wrong PINs is kept in the store
 * (meta "pin_lock": "FAILS UNTIL"). Main thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/journal.h"
#include "core/session.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

#define STAFF_ITER 60000u
#define STAFF_SALT 16
#define STAFF_HASH 32
#define STAFF_LINE 256

static int
valid_id(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > STAFF_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z')))
			return 0;
	return 1;
}

static int
valid_pin(const char *pin)
{
	size_t i, n = strlen(pin);

	if (n < 4 || n > 12)
		return 0;
	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return 0;
	return 1;
}

static int
unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 :
		    hi >= '0' && hi <= '9' ? hi - '0' : -1;
		lo = lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 :
		    lo >= '0' && lo <= '9' ? lo - '0' : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* One parsed line. */
struct staff_rec {
	char id[STAFF_ID_MAX + 1];
	int role;
	unsigned long iter;
	uint8_t salt[STAFF_SALT];
	uint8_t hash[STAFF_HASH];
};

static int
parse_line(const char *line, struct staff_rec *r)
{
	char id[64], salt[80], hash[80];
	int role;
	unsigned long iter;

	if (sscanf(line, "%63s %d %lu %79s %79s", id, &role, &iter, salt,
	    hash) != 5)
		return -1;
	if (!valid_id(id) || (role != STAFF_CASHIER && role != STAFF_MANAGER) ||
	    iter == 0 || iter > 10000000ul ||
	    unhex(salt, r->salt, STAFF_SALT) != 0 ||
	    unhex(hash, r->hash, STAFF_HASH) != 0)
		return -1;
	str_copy(r->id, sizeof r->id, id);
	r->role = role;
	r->iter = iter;
	return 0;
}

static char *
staff_path(const char *data_dir)
{
	return xasprintf("%s/staff", data_dir);
}

int
staff_count(const char *data_dir)
{
	char *path = staff_path(data_dir), line[STAFF_LINE];
	struct staff_rec r;
	FILE *fp = fopen(path, "r");
	int n = 0;

	free(path);
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof line, fp) != NULL)
		if (parse_line(line, &r) == 0)
			n++;
	fclose(fp);
	return n;
}

int
staff_check(const char *data_dir, const char *id, const char *pin,
    enum staff_role *role)
{
	char *path = staff_path(data_dir), line[STAFF_LINE];
	struct staff_rec r;
	uint8_t h[STAFF_HASH];
	FILE *fp = fopen(path, "r");
	int rc = QUAN_EPERM;

	free(path);
	if (fp == NULL)
		return QUAN_ENOTFOUND;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (parse_line(line, &r) != 0 || strcmp(r.id, id) != 0)
			continue;
		if (!valid_pin(pin))
			break;
		if (crypto_pbkdf2_sha256(pin, strlen(pin), r.salt, STAFF_SALT,
		    (unsigned)r.iter, h, sizeof h) != 0)
			break;
		if (crypto_memeq(h, r.hash, STAFF_HASH)) {
			*role = (enum staff_role)r.role;
			rc = QUAN_OK;
		}
		break;
	}
	fclose(fp);
	return rc;
}

int
staff_set(const char *data_dir, const char *id, enum staff_role role,
    const char *pin, char **cause)
{
	char *path = NULL, *tmp = NULL, line[STAFF_LINE];
	char hx[2 * STAFF_HASH + 1];
	char sx[2 * STAFF_SALT + 1];
	struct staff_rec r;
	uint8_t salt[STAFF_SALT], h[STAFF_HASH];
	FILE *in = NULL, *out = NULL;
	int fd = -1, rc = QUAN_EIO;

	if (!valid_id(id)) {
		*cause = xasprintf("bad id '%s': use 1-%d letters or digits",
		    id, STAFF_ID_MAX);
		return QUAN_EINVAL;
	}
	if (!valid_pin(pin)) {
		*cause = xasprintf("a PIN is 4 to 12 digits");
		return QUAN_EINVAL;
	}
	if (role != STAFF_CASHIER && role != STAFF_MANAGER) {
		*cause = xasprintf("role must be cashier or manager");
		return QUAN_EINVAL;
	}
	if (crypto_random(salt, sizeof salt) != 0 ||
	    crypto_pbkdf2_sha256(pin, strlen(pin), salt, sizeof salt,
	    STAFF_ITER, h, sizeof h) != 0) {
		*cause = xasprintf("cannot hash the PIN");
		return QUAN_EIO;
	}
	path = staff_path(data_dir);
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	in = fopen(path, "r");
	while (in != NULL && fgets(line, sizeof line, in) != NULL)
		if (parse_line(line, &r) == 0 && strcmp(r.id, id) != 0)
			fputs(line, out);
	fprintf(out, "%s %d %u %s %s\n", id, (int)role, STAFF_ITER,
	    crypto_hex(salt, sizeof salt, sx), crypto_hex(h, sizeof h, hx));
	if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = QUAN_OK;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	if (rc != QUAN_OK && tmp != NULL)
		unlink(tmp);
	free(path);
	free(tmp);
	return rc;
}

static void
lock_get(struct store *st, int64_t *fails, int64_t *until)
{
	char v[64];
	long long f = 0, u = 0;

	if (store_meta_get(st, "pin_lock", v, sizeof v) != QUAN_OK ||
	    sscanf(v, "%lld %lld", &f, &u) != 2)
		f = u = 0;
	*fails = f;
	*until = u;
}

int
staff_locked(struct store *st, int64_t now, int64_t *until)
{
	int64_t fails;

	lock_get(st, &fails, until);
	/* a lock far in the future (a clock set back) still ends */
	return *until > now && *until <= now + STAFF_PIN_LOCK_S;
}

int
staff_try(struct store *st, int64_t now, int result, const char *kind,
    const struct json_t *d)
{
	int64_t fails, until;
	char v[64];
	int rc;

	if ((rc = store_begin(st)) != QUAN_OK)
		return rc;
	lock_get(st, &fails, &until);
	if (result == 1)
		fails = until = 0;
	else if (result == 0 && ++fails >= STAFF_PIN_TRIES) {
		fails = 0;
		until = now + STAFF_PIN_LOCK_S;
	}
	snprintf(v, sizeof v, "%lld %lld", (long long)fails,
	    (long long)until);
	if ((rc = store_meta_set(st, "pin_lock", v)) != QUAN_OK ||
	    (kind != NULL && (rc = journal_append(st, now, kind, 0, 0,
	    d)) != QUAN_OK)) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

int
staff_approve(struct store *st, const char *data_dir, const char *who,
    const char *pin, const char *what, int64_t txn, const char *cashier,
    int64_t now, enum staff_verdict *v, int64_t *until)
{
	enum staff_role role;
	char t[24];
	json_t *d;
	int rc, res;

	*until = 0;
	snprintf(t, sizeof t, "%lld", (long long)txn);
	d = json_pack("{s:s, s:s, s:s, s:s}", "who", who, "what", what,
	    "txn", t, "cashier", cashier);
	if (staff_locked(st, now, until) == 1) {
		json_object_set_new(d, "why", json_string("locked"));
		*v = STAFF_V_LOCKED;
		rc = staff_try(st, now, -1, "login_failed", d);
		goto out;
	}
	rc = staff_check(data_dir, who, pin, &role);
	if (rc == QUAN_ENOTFOUND) {
		*v = STAFF_V_NO_STAFF;
		rc = QUAN_OK;
		goto out;
	}
	res = rc == 0;
	*v = !res ? STAFF_V_WRONG : role != STAFF_MANAGER ?
	    STAFF_V_NOT_MANAGER : STAFF_V_MANAGER;
	if (*v == STAFF_V_NOT_MANAGER)
		json_object_set_new(d, "why", json_string("not a manager"));
	rc = staff_try(st, now, res, *v == STAFF_V_WRONG ? "login_failed" :
	    *v == STAFF_V_NOT_MANAGER ? "approval_refused" : NULL, d);
	if (rc == QUAN_OK && *v == STAFF_V_WRONG &&
	    staff_locked(st, now, until) != 1)
		*until = 0;
out:
	json_decref(d);
	return rc;
}
