/*
 * pcoupon_import.c — `quan import product FILE`: product coupons, their
 * stocks and user coupons (registry rows) from one JSON document, all or
 * nothing (pcoupon_import.h; the format is in app/core/RULES.md).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/coupon.h"
#include "core/pcoupon_import.h"
#include "core/pcoupon_json.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define PC_DOC_FILE_MAX (64L * 1024 * 1024)

void
pc_doc_free(struct pc_doc *d)
{
	free(d->products);
	free(d->stocks);
	free(d->coupons);
	memset(d, 0, sizeof *d);
}

/* The array at key (absent: n = 0), at most max records. */
static int
section(const json_t *root, const char *key, const json_t **out, size_t *n,
    char **cause)
{
	const json_t *a = json_object_get(root, key);

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return QUAN_OK;
	if (!json_is_array(a)) {
		*cause = xasprintf("%s: not an array", key);
		return QUAN_EINVAL;
	}
	*out = a;
	*n = json_array_size(a);
	return QUAN_OK;
}

/* "key record N (id X): why" */
static int
record_err(const char *key, size_t i, const json_t *el, const char *idkey,
    char *why, char **cause)
{
	const json_t *id = json_is_object(el) ? json_object_get(el, idkey) :
	    NULL;

	*cause = xasprintf("%s record %zu%s%s%s: %s", key, i + 1,
	    json_is_string(id) ? " (" : "",
	    json_is_string(id) ? json_string_value(id) : "",
	    json_is_string(id) ? ")" : "", why != NULL ? why : "invalid");
	free(why);
	return QUAN_EINVAL;
}

static const struct pc_product *
find_product(const struct pc_doc *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->nproducts; i++)
		if (strcmp(d->products[i].product_coupon_id, id) == 0)
			return &d->products[i];
	return NULL;
}

int
pc_doc_parse(const json_t *root, pc_known_fn known, void *arg,
    struct pc_doc *d, char **cause)
{
	const json_t *pa, *sa, *ca, *el;
	size_t i, j;
	int rc;

	memset(d, 0, sizeof *d);
	*cause = NULL;
	if (!json_is_object(root)) {
		*cause = xasprintf("expected an object with product_coupons, "
		    "stocks and/or coupons");
		return QUAN_EINVAL;
	}
	if ((rc = section(root, "product_coupons", &pa, &d->nproducts,
	    cause)) != 0 || (rc = section(root, "stocks", &sa, &d->nstocks,
	    cause)) != 0 || (rc = section(root, "coupons", &ca, &d->ncoupons,
	    cause)) != 0)
		return rc;
	if (pa == NULL && sa == NULL && ca == NULL) {
		*cause = xasprintf("none of product_coupons, stocks, coupons");
		return QUAN_EINVAL;
	}
	d->products = xcalloc(d->nproducts + 1, sizeof *d->products);
	d->stocks = xcalloc(d->nstocks + 1, sizeof *d->stocks);
	d->coupons = xcalloc(d->ncoupons + 1, sizeof *d->coupons);
	for (i = 0; i < d->nproducts; i++) {
		char *why = NULL;

		el = json_array_get(pa, i);
		if (pc_product_from_json(el, &d->products[i], &why) != 0)
			goto bad_product;
		for (j = 0; j < i; j++)
			if (strcmp(d->products[j].product_coupon_id,
			    d->products[i].product_coupon_id) == 0) {
				why = xasprintf("product_coupon_id given "
				    "twice");
				goto bad_product;
			}
		continue;
bad_product:
		rc = record_err("product_coupons", i, el, "product_coupon_id",
		    why, cause);
		goto fail;
	}
	for (i = 0; i < d->nstocks; i++) {
		const struct pc_product *p;
		struct pc_product kp;
		char *why = NULL;
		const json_t *pid;

		el = json_array_get(sa, i);
		pid = json_is_object(el) ? json_object_get(el,
		    "product_coupon_id") : NULL;
		p = json_is_string(pid) ? find_product(d,
		    json_string_value(pid)) : NULL;
		if (p == NULL && json_is_string(pid) && known != NULL) {
			if (known(arg, json_string_value(pid), &kp) != QUAN_OK)
			{
				why = xasprintf("product_coupon_id %s: not in "
				    "this file nor imported before",
				    json_string_value(pid));
				rc = record_err("stocks", i, el, "stock_id",
				    why, cause);
				goto fail;
			}
			p = &kp;
		}
		if (pc_stock_from_json(el, p, &d->stocks[i], &why) != 0) {
			rc = record_err("stocks", i, el, "stock_id", why,
			    cause);
			goto fail;
		}
	}
	for (i = 0; i < d->ncoupons; i++) {
		char *why = NULL;

		el = json_array_get(ca, i);
		if (pc_coupon_from_json(el, &d->coupons[i], &why) != 0) {
			rc = record_err("coupons", i, el, "coupon_code", why,
			    cause);
			goto fail;
		}
	}
	return QUAN_OK;
fail:
	pc_doc_free(d);
	return rc;
}

int
pc_parse_text(const char *text, size_t len, char **cause)
{
	json_error_t e;
	struct pc_doc d;
	json_t *root;
	int rc;

	*cause = NULL;
	if (len > (size_t)PC_DOC_FILE_MAX)
		return QUAN_ETOOBIG;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL) {
		*cause = xasprintf("bad JSON: %s", e.text);
		return QUAN_EINVAL;
	}
	rc = pc_doc_parse(root, NULL, NULL, &d, cause);
	if (rc == QUAN_OK)
		pc_doc_free(&d);
	json_decref(root);
	return rc;
}

static int
known_in_store(void *arg, const char *id, struct pc_product *out)
{
	return store_pc_product_get(arg, id, out);
}

/* The document in root, checked whole, then written in one transaction. */
static int
import_doc(struct store *st, json_t *root, const char *name, int64_t now,
    int flags, struct pc_import_counts *n, char **cause)
{
	struct pc_doc d;
	char *why = NULL;
	size_t i;
	int rc;

	rc = pc_doc_parse(root, known_in_store, st, &d, &why);
	if (rc != QUAN_OK) {
		*cause = xasprintf("%s: %s", name, why ? why : "invalid");
		free(why);
		return rc;
	}
	if ((rc = store_begin(st)) != 0)
		goto store_err;
	for (i = 0; rc == 0 && i < d.nproducts; i++) {
		d.products[i].fetched_at = now;
		rc = store_pc_product_put(st, &d.products[i]);
	}
	for (i = 0; rc == 0 && i < d.nstocks; i++) {
		d.stocks[i].fetched_at = now;
		rc = store_pc_stock_put(st, &d.stocks[i]);
	}
	/* a file states the coupon as the brand's back office knows it now:
	 * forced, like a query answer; what another lane learnt (the hub)
	 * only moves a row forward, never undoing a use made here */
	for (i = 0; rc == 0 && i < d.ncoupons; i++) {
		d.coupons[i].updated_at = now;
		if (flags & PC_IMPORT_FORWARD)
			d.coupons[i].source = PC_SRC_HUB;
		rc = store_pc_put(st, &d.coupons[i],
		    (flags & PC_IMPORT_FORWARD) ? 0 : 1);
	}
	if (rc != 0) {
		store_rollback(st);
		goto store_err;
	}
	if ((rc = store_commit(st)) != 0)
		goto store_err;
	n->products = (int64_t)d.nproducts;
	n->stocks = (int64_t)d.nstocks;
	n->coupons = (int64_t)d.ncoupons;
	pc_doc_free(&d);
	return QUAN_OK;
store_err:
	*cause = xasprintf("%s", store_errmsg(st));
	pc_doc_free(&d);
	return rc;
}

int
import_product_text(struct store *st, const char *text, size_t len,
    const char *name, int64_t now, int flags, struct pc_import_counts *n,
    char **cause)
{
	json_error_t e;
	json_t *root;
	int rc;

	memset(n, 0, sizeof *n);
	*cause = NULL;
	if (len > (size_t)PC_DOC_FILE_MAX) {
		*cause = xasprintf("%s: larger than %ld bytes", name,
		    PC_DOC_FILE_MAX);
		return QUAN_ETOOBIG;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL) {
		*cause = xasprintf("%s:%d:%d: bad JSON: %s", name, e.line,
		    e.column, e.text);
		return QUAN_EINVAL;
	}
	rc = import_doc(st, root, name, now, flags, n, cause);
	json_decref(root);
	return rc;
}

int
import_product(struct store *st, const char *path, int64_t now,
    struct pc_import_counts *n, char **cause)
{
	json_error_t e;
	json_t *root;
	FILE *fp;
	long sz;
	int rc;

	memset(n, 0, sizeof *n);
	*cause = NULL;
	if ((fp = fopen(path, "re")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return QUAN_ENOTFOUND;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) > PC_DOC_FILE_MAX) {
		fclose(fp);
		*cause = xasprintf("%s: file larger than %ld bytes", path,
		    PC_DOC_FILE_MAX);
		return QUAN_ETOOBIG;
	}
	rewind(fp);
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &e);
	fclose(fp);
	if (root == NULL) {
		*cause = xasprintf("%s:%d:%d: bad JSON: %s", path, e.line,
		    e.column, e.text);
		return QUAN_EINVAL;
	}
	rc = import_doc(st, root, path, now, 0, n, cause);
	json_decref(root);
	return rc;
}

/* key: an RFC 3339 time in the store's zone, when t is known */
static int
put_time(json_t *o, const char *key, int64_t t)
{
	char buf[40];

	if (t == 0)
		return 0;
	return json_object_set_new(o, key, json_string(tm_rfc3339(t, buf,
	    sizeof buf)));
}

static json_t *
coupon_json(const struct pc_coupon *c)
{
	json_t *o, *b, *sk, *sb;
	int rc;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "coupon_code",
	    c->code, "openid", c->openid, "appid", c->appid,
	    "product_coupon_id", c->product_coupon_id, "coupon_state",
	    pc_state_name(c->state));
	if (o == NULL)
		return NULL;
	rc = 0;
	if (c->brand_id[0] != '\0')
		rc |= json_object_set_new(o, "brand_id",
		    json_string(c->brand_id));
	rc |= put_time(o, "valid_begin_time", c->valid_begin) |
	    put_time(o, "valid_end_time", c->valid_end) |
	    put_time(o, "receive_time", c->receive_time);
	if (c->send_request_no[0] != '\0')
		rc |= json_object_set_new(o, "send_request_no",
		    json_string(c->send_request_no));
	if (c->confirm_request_no[0] != '\0')
		rc |= json_object_set_new(o, "confirm_request_no",
		    json_string(c->confirm_request_no));
	/* a bundle round's stock carries its bundle id (the reader takes
	 * stock_id from the stock object when there is one) */
	if (c->stock_bundle_id[0] != '\0') {
		sk = json_pack("{s:s}", "stock_id", c->stock_id);
		sb = json_pack("{s:s}", "stock_bundle_id", c->stock_bundle_id);
		rc |= sk == NULL || sb == NULL ||
		    json_object_set_new(sk, "stock_bundle_info", sb) != 0 ||
		    json_object_set_new(o, "stock", sk) != 0;
	} else
		rc |= json_object_set_new(o, "stock_id",
		    json_string(c->stock_id));
	if (c->user_coupon_bundle_id[0] != '\0') {
		b = json_pack("{s:s, s:i, s:i, s:i}", "user_coupon_bundle_id",
		    c->user_coupon_bundle_id, "user_coupon_bundle_index",
		    (int)c->bundle_index, "total_count", (int)c->bundle_total,
		    "used_count", (int)c->bundle_used);
		rc |= b == NULL || json_object_set_new(o,
		    "user_product_coupon_bundle_info", b) != 0;
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *
pc_coupons_export(const struct pc_coupon *c, size_t n)
{
	json_t *root, *arr, *o;
	char *out = NULL;
	size_t i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((o = coupon_json(&c[i])) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	if ((root = json_pack("{s:o}", "coupons", arr)) != NULL) {
		out = json_dumps(root, JSON_COMPACT);
		json_decref(root);
	}
	return out;
}
