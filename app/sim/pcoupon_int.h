/*
 * pcoupon_int.h — what the simulator's 商品券 files share (private to
 * app/sim):
 *
 * pcoupon.c      routing of both access modes, the user-coupon endpoints
 *                (send, confirm, use, return, deactivate, get, list), the
 *                state machine and idempotency
 * pcoupon_def.c  definitions (product coupons, stocks), notify-configs,
 *                the user-coupon object WeChat answers with, the seed
 */
#ifndef QUAN_SIM_PCOUPON_INT_H
#define QUAN_SIM_PCOUPON_INT_H

#include <jansson.h>

#include "sim/sim_int.h"

/* c->route = "METHOD brand|partner TMPL" (the request counters). */
void sim_pc_route_name(struct sim_ctx *c, int brand, const char *tmpl);
/* An error answer with WeChat's number (Request-ID suffix; 0 = none). */
void sim_pc_err(struct sim_ctx *c, int status, const char *code,
	const char *message, long numeric);
/* The UserProductCouponEntity of a pc_coupons row (new); partner answers
 * carry brand_id. Caller holds mu. */
json_t *sim_pc_entity(struct sim *s, json_t *row, int brand);
/* GET …/product-coupons/{id}[/stocks/{sid}], POST/GET …/notify-configs;
 * seg is the first segment after the prefix. 0 handled, QUAN_ENOTFOUND
 * otherwise. Called without mu. */
int sim_pc_defs_route(struct sim_ctx *c, int brand, int seg);
/* The notify URL of a mode (new string) or NULL. Caller holds mu. */
char *sim_pc_notify_url(struct sim *s, int brand);

#endif
