/*
 * busifavor_int.h — what the merchant-coupon endpoints' files share;
 * private to app/sim. The endpoints are cut by subject:
 *
 * busifavor.c         field helpers, time windows, the stock and coupon
 *                     objects, GET /v3/certificates, the routing
 * busifavor_stock.c   stocks (create, get, patch, budget) and their
 *                     pre-stored codes
 * busifavor_coupon.c  a coupon's life: send, use, return, deactivate,
 *                     associate, a user's coupons; the callbacks URL
 */
#ifndef QUAN_SIM_BUSIFAVOR_INT_H
#define QUAN_SIM_BUSIFAVOR_INT_H

#include <stdint.h>

#include <jansson.h>

#include "sim/sim_int.h"

#define BF "/v3/marketing/busifavor"

/* busifavor.c */
extern const char *const sim_bf_stock_types[];
extern const char *const sim_bf_code_modes[];
extern const char *const sim_bf_use_methods[];
extern const char *const sim_bf_coupon_states[];
int sim_bf_in_list(const char *v, const char *const *list);
int sim_bf_enum_field(struct sim_ctx *c, json_t *o, const char *key, int req,
	const char *const *list, const char **out);
int sim_bf_obj_field(struct sim_ctx *c, json_t *o, const char *key, int req,
	json_t **out);
void sim_bf_route(struct sim_ctx *c, const char *tmpl);
int sim_bf_is_get(struct sim_ctx *c);
int sim_bf_is_post(struct sim_ctx *c);
/* NULL if the coupon may be used at t, else WeChat's message. */
const char *sim_bf_window_check(json_t *stock, int64_t start, int64_t expire,
	int64_t t);
json_t *sim_bf_load_stock(struct sim *s, const char *id);
json_t *sim_bf_stock_body(json_t *row);
const char *sim_bf_coupon_state(json_t *row, int64_t now);
void sim_bf_set_time(json_t *o, const char *key, json_t *row, const char *col);
void sim_bf_set_str(json_t *o, const char *key, json_t *row, const char *col);
json_t *sim_bf_coupon_entity(json_t *row, int64_t now);

/* busifavor_stock.c */
void sim_bf_stock_create(struct sim_ctx *c);
void sim_bf_stock_get(struct sim_ctx *c, const char *id);
void sim_bf_stock_patch(struct sim_ctx *c, const char *id);
int sim_bf_code_chars_ok(const char *s);
void sim_bf_codes_upload(struct sim_ctx *c, const char *id);
int sim_bf_query_int(struct sim_ctx *c, const char *name, int64_t def,
	int64_t min, int64_t max, int64_t *out);
void sim_bf_codes_list(struct sim_ctx *c, const char *id);
void sim_bf_code_detail(struct sim_ctx *c, const char *id, const char *code);
/* PATCH /stocks/{id}/budget: exactly one target; the matching current_*
 * must equal today's value (WeChat's optimistic check). */
void sim_bf_stock_budget(struct sim_ctx *c, const char *id);
/* DELETE /stocks/{id}/couponcodes/{code}?delete_request_no=: only codes
 * not yet dispatched to a user. */
void sim_bf_code_delete(struct sim_ctx *c, const char *id, const char *code);
/* Open a handler's transaction (the caller holds mu); a busy database
 * (BEGIN IMMEDIATE timing out) answers 500 SYSTEM_ERROR. 0 or -1. */
int sim_bf_tx_begin(struct sim_ctx *c);
/* End a handler: commit what it wrote when it answers 200, else roll back;
 * then release mu. */
void sim_bf_tx_end(struct sim_ctx *c);

/* busifavor_coupon.c */
void sim_bf_coupon_send(struct sim_ctx *c);
void sim_bf_coupon_use(struct sim_ctx *c);
void sim_bf_coupon_return(struct sim_ctx *c);
void sim_bf_coupon_deactivate(struct sim_ctx *c);
/* POST /coupons/associate and /coupons/disassociate: link a coupon that is
 * still usable to a WeChat Pay order (statistics only). */
void sim_bf_coupon_associate(struct sim_ctx *c, int on);
void sim_bf_user_coupon(struct sim_ctx *c, const char *openid, const char *code,
	const char *appid);
void sim_bf_user_coupons(struct sim_ctx *c, const char *openid);
void sim_bf_callbacks(struct sim_ctx *c);

#endif
