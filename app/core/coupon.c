/*
 * coupon.c — coupon states and the coupon reason table (see coupon.h).
 */
#include <string.h>

#include "core/coupon.h"
#include "core/rules.h"

_Static_assert((int)RULES_R_BAD_AMOUNT == (int)REASON_BAD_AMOUNT &&
    (int)RULES_R_ALREADY_USED == (int)REASON_ALREADY_USED &&
    (int)RULES_R__COUNT == (int)REASON_BAD_AMOUNT + 1,
    "rules reasons are the first rows of the reason table");
#include "core/pcoupon.h"

#define W(en, zh) en, zh
#define NOW NULL, NULL

static const struct reason_info table[REASON_COUNT] = {
	[REASON_NONE] = {"ok", VIEW_R_NONE, NOW, 0, 0},
	[REASON_BELOW_MINIMUM] =
	    {"below_minimum", VIEW_R_BELOW_MINIMUM, NOW, 0, 0},
	[REASON_NOT_YET_VALID] =
	    {"not_yet_valid", VIEW_R_NOT_YET, NOW, 0, 0},
	[REASON_EXPIRED] = {"expired", VIEW_R_EXPIRED, NOW, 0, 0},
	[REASON_OUTSIDE_WEEKLY_WINDOW] =
	    {"outside_weekly_window", VIEW_R_NOT_TODAY, NOW, 0, 0},
	[REASON_OUTSIDE_PERIODS] =
	    {"outside_periods", VIEW_R_NOT_TODAY, NOW, 0, 0},
	[REASON_STOCK_NOT_RUNNING] =
	    {"stock_not_running", VIEW_R_STOCK_STATE, NOW, 0, 0},
	[REASON_CARD_NOT_USABLE] =
	    {"card_not_usable", VIEW_R_STOCK_STATE, NOW, 0, 0},
	[REASON_ALREADY_USED] =
	    {"already_used", VIEW_R_ALREADY_USED, NOW, 0, 0},
	[REASON_COUPON_UNAVAILABLE] = {"coupon_unavailable", VIEW_R_OTHER,
	    W("coupon unavailable", "券不可用"), 0, 0},
	[REASON_PER_TXN_LIMIT] = {"per_txn_limit", VIEW_R_PER_TXN, NOW, 0, 0},
	[REASON_DUPLICATE_CODE] =
	    {"duplicate_code", VIEW_R_DUPLICATE, NOW, 0, 0},
	[REASON_NOT_STACKABLE] = {"not_stackable", VIEW_R_OTHER,
	    W("not stackable", "不可与其他优惠同用"), 0, 0},
	[REASON_NEEDS_ITEM_PRICE] = {"needs_item_price", VIEW_R_OTHER,
	    W("needs item price", "需要商品价格"), 0, 0},
	[REASON_ITEM_PRICE_OVER_BASKET] = {"item_price_over_basket",
	    VIEW_R_OTHER, W("item price over basket", "商品价格超过消费金额"),
	    0, 0},
	[REASON_NO_BENEFIT] = {"no_benefit", VIEW_R_OTHER,
	    W("no benefit", "无可优惠金额"), 0, 0},
	[REASON_RECEIVE_TIME_UNKNOWN] = {"receive_time_unknown", VIEW_R_OTHER,
	    W("receive time unknown", "领券时间未知"), 0, 0},
	[REASON_BAD_AMOUNT] = {"bad_amount", VIEW_R_OTHER,
	    W("bad amount", "金额无效"), 0, 0},
	[REASON_PAYMENT_CODE] =
	    {"payment_code", VIEW_R_PAYMENT_CODE, NOW, 0, 0},
	[REASON_OTHER_WALLET] =
	    {"other_wallet", VIEW_R_PAYMENT_CODE, NOW, 0, 0},
	[REASON_UNKNOWN_CODE] =
	    {"unknown_code", VIEW_R_UNKNOWN_CODE, NOW, 0, 0},
	[REASON_NO_MATCH] = {"no_match", VIEW_R_UNKNOWN_CODE, NOW, 0, 0},
	[REASON_TOO_LONG] = {"too_long", VIEW_R_OTHER,
	    W("too long for a coupon code", "太长，不是优惠券码"), 0, 0},
	[REASON_INVALID_INPUT] =
	    {"invalid_input", VIEW_R_GARBAGE, NOW, 0, 0},
	[REASON_CONTROL_CHAR] = {"control_char", VIEW_R_GARBAGE, NOW, 0, 0},
	[REASON_BAD_UTF8] = {"bad_utf8", VIEW_R_GARBAGE, NOW, 0, 0},
	[REASON_EMPTY] = {"empty", VIEW_R_GARBAGE, NOW, 0, 0},
	[REASON_NO_DEFINITION] = {"no_definition", VIEW_R_OTHER,
	    W("no definition", "缺少批次信息"), 0, 0},
	[REASON_NEEDS_ONLINE] =
	    {"needs_online", VIEW_R_OFFLINE_POLICY, NOW, 0, 0},
	[REASON_NO_LONGER_USABLE] = {"no_longer_usable", VIEW_R_OTHER,
	    W("no longer usable", "其他券被拒后不再可用"), 0, 0},
	[REASON_NOT_RECORDED] = {"not_recorded", VIEW_R_OTHER,
	    W("not recorded", "未记录"), 0, 0},
	[REASON_INTERRUPTED] = {"interrupted", VIEW_R_OTHER,
	    W("interrupted", "交易中断"), 0, 0},
	[REASON_VOIDED_NOT_RETURNABLE] = {"voided_not_returnable",
	    VIEW_R_OTHER, W("voided, not returnable", "已作废，不可退回"), 0,
	    0},
	[REASON_VOIDED] = {"voided", VIEW_R_OTHER,
	    W("sale voided, coupon given back", "已作废，券已退回"), 0, 0},
	[REASON_VOIDED_BEFORE_SEND] = {"voided_before_send", VIEW_R_OTHER,
	    W("sale voided before sending", "发送前已作废"), 0, 0},
	[REASON_CARD_CONSUME_IRREVERSIBLE] = {"card_consume_irreversible",
	    VIEW_R_OTHER, W("voided, card consume cannot be undone",
	    "已作废，卡券核销不可撤回"), 0, 0},
	[REASON_CARD_NOT_CONSUMED] = {"card_not_consumed", VIEW_R_OTHER,
	    W("sale not paid: card coupon not consumed",
	    "未付款：卡券未核销"), 0, 0},
	[REASON_CARD_CONSUME_REFUSED] = {"card_consume_refused", VIEW_R_OTHER,
	    W("paid, but the card coupon was used elsewhere: loss, manager "
	    "to check", "已付款，但卡券已在别处核销：损失，请店长核查"), 0, 0},
	[REASON_CARD_OTHER_USER] = {"card_other_user", VIEW_R_OTHER,
	    W("card coupon held by another user", "卡券不属于该用户"), 0, 0},
	[REASON_REFUND_ABNORMAL] = {"refund_abnormal", VIEW_R_OTHER,
	    W("refund ABNORMAL: pay the customer back by hand",
	    "退款异常：请店长人工退款"), 0, 0},
	[REASON_DUPLICATE_REDEMPTION] = {"duplicate_redemption",
	    VIEW_R_OTHER, W("used twice: manager to check",
	    "重复核销：请店长核查"), 0, 0},
	[REASON_STORE_ERROR] = {"store_error", VIEW_R_OTHER,
	    W("till storage error", "收银机存储错误"), 0, 0},
	[REASON_BAD_DEFINITION] = {"bad_definition", VIEW_R_OTHER,
	    W("coupon definition unreadable", "批次信息无法读取"), 0, 0},
	[REASON_CLAIM_QR] = {"claim_qr", VIEW_R_OTHER,
	    W("a card claim QR code, not a coupon to redeem",
	    "领卡二维码，不是可核销的券"), 0, 0},
	[REASON_USED_BY_OTHER_REQUEST] = {"used_by_other_request",
	    VIEW_R_ALREADY_USED, NOW, 0, 0},
	[REASON_WAIT_WECHAT] = {"wait_wechat", VIEW_R_OTHER,
	    W("waiting for WeChat", "待微信确认"), 0, 0},
	[REASON_OFFLINE_ONLINE_ONLY] =
	    {"offline_online_only", VIEW_R_OFFLINE_POLICY, NOW, 1, 0},
	[REASON_OFFLINE_NOT_KNOWN] = {"offline_not_known", VIEW_R_OTHER,
	    W("offline: this code is not in the coupon list",
	    "离线：券码不在本地券库"), 1, 0},
	[REASON_OFFLINE_CAP_COUPON] = {"offline_cap_coupon",
	    VIEW_R_OFFLINE_CAP, W("coupon value over the offline limit",
	    "券面额超过离线上限"), 1, 1},
	[REASON_OFFLINE_CAP_HOUR] = {"offline_cap_hour", VIEW_R_OFFLINE_CAP,
	    W("too many offline coupons this hour", "本小时离线券数已满"),
	    1, 1},
	[REASON_OFFLINE_CAP_EXPOSURE] = {"offline_cap_exposure",
	    VIEW_R_OFFLINE_CAP, W("too much unsettled offline value",
	    "未结算离线金额已满"), 1, 1},
	[REASON_OFFLINE_CACHE_OLD] =
	    {"offline_cache_old", VIEW_R_CACHE_OLD, NOW, 1, 0},
	[REASON_HUB_TAKEN] = {"hub_taken", VIEW_R_OTHER,
	    W("already used at another lane", "已在其他收银台使用"), 0, 0},
	[REASON_OFFLINE_HUB_DOWN] = {"offline_hub_down", VIEW_R_OTHER,
	    W("store hub unreachable: not accepted offline",
	    "门店中心不可达：不离线受理"), 1, 0},
	[REASON_WX_COUPON_UNKNOWN] = {"coupon_unknown", VIEW_R_OTHER,
	    W("WeChat: no such coupon", "微信：券不存在"), 0, 0},
	[REASON_WX_NOT_USABLE_NOW] = {"not_usable_now", VIEW_R_OTHER,
	    W("WeChat refused: expired, used or outside its hours",
	    "微信拒绝：券已过期、已使用或不在可用时段"), 0, 0},
	[REASON_WX_USER_UNKNOWN] = {"user_unknown", VIEW_R_OTHER,
	    W("WeChat: the coupon's owner is unknown", "微信：券的领取用户不存在"),
	    0, 0},
	[REASON_WX_BAD_REQUEST] = {"bad_request", VIEW_R_OTHER,
	    W("WeChat refused the request (check the setup)",
	    "微信拒绝请求（请检查配置）"), 0, 0},
	[REASON_WX_NOT_USABLE] = {"not_usable", VIEW_R_OTHER,
	    W("WeChat: coupon not usable", "微信：券不可用"), 0, 0},
	[REASON_WX_REJECTED] = {"rejected", VIEW_R_OTHER,
	    W("WeChat refused the coupon", "微信拒绝此券"), 0, 0},
	[REASON_WX_DELETED_OR_GIFTING] = {"deleted_or_gifting", VIEW_R_OTHER,
	    W("WeChat: deleted or being given away", "微信：券已删除或正在转赠"),
	    0, 0},
	[REASON_WX_INVALID_CODE] = {"invalid_code", VIEW_R_OTHER,
	    W("WeChat: not a valid code", "微信：券码无效"), 0, 0},
	[REASON_WX_CARD_INVALID] = {"card_invalid", VIEW_R_OTHER,
	    W("WeChat: card not valid", "微信：卡券无效"), 0, 0},
	[REASON_WX_CARD_ID_MISSING] = {"card_id_missing", VIEW_R_OTHER,
	    W("WeChat: card id missing", "微信：缺少卡券 ID"), 0, 0},
	[REASON_WX_DEACTIVATED] = {"wx_deactivated", VIEW_R_OTHER,
	    W("WeChat: deactivated by the merchant", "微信：券已被商户作废"),
	    0, 0},
	[REASON_PC_NOT_REGISTERED] = {"pc_not_registered",
	    VIEW_R_UNKNOWN_CODE, W("not in the product coupon registry",
	    "商品券库中无此券码"), 0, 0},
	[REASON_PC_AMBIGUOUS] = {"pc_ambiguous", VIEW_R_OTHER,
	    W("code belongs to several product coupon stocks",
	    "券码对应多个商品券批次"), 0, 0},
	[REASON_PC_CONFIRMING] = {"pc_confirming", VIEW_R_OTHER,
	    W("not confirmed by the brand yet (确认发放)",
	    "券待品牌确认发放，暂不可用"), 0, 0},
	[REASON_PC_PENDING] = {"pc_pending", VIEW_R_NOT_YET, NOW, 0, 0},
	[REASON_PC_DELETED] = {"pc_deleted", VIEW_R_OTHER,
	    W("deleted by the customer", "顾客已删除此券"), 0, 0},
	[REASON_PC_DEACTIVATED] = {"pc_deactivated", VIEW_R_OTHER,
	    W("deactivated by the brand", "券已被品牌作废"), 0, 0},
	[REASON_PC_OTHER_USER] = {"pc_other_user", VIEW_R_OTHER,
	    W("another customer's coupon", "不是付款顾客的券"), 0, 0},
	[REASON_PC_WRONG_BRAND] = {"pc_wrong_brand", VIEW_R_OTHER,
	    W("another brand's coupon", "非本店品牌的券"), 0, 0},
	[REASON_PC_STORE_SCOPE] = {"pc_store_scope", VIEW_R_OTHER,
	    W("not valid in this store", "本门店不可用"), 0, 0},
	[REASON_PC_NO_ITEM] = {"pc_no_item", VIEW_R_OTHER,
	    W("its product is not in the basket", "购物篮中没有券对应的商品"),
	    0, 0},
	[REASON_PC_BUNDLE_ROUND] = {"pc_bundle_round", VIEW_R_OTHER,
	    W("not this round's turn yet", "多次优惠券：未到本次使用的时候"),
	    0, 0},
	[REASON_PC_UNSUPPORTED] = {"pc_unsupported", VIEW_R_OTHER,
	    W("product coupon kind quan cannot price",
	    "无法计算此类商品券的优惠"), 0, 0},
	[REASON_PC_COVERS_ALL] = {"pc_covers_all", VIEW_R_OTHER,
	    W("would leave nothing to pay by WeChat",
	    "优惠后无需微信支付，无法关联订单"), 0, 0},
	[REASON_PC_NEEDS_WECHAT_PAY] = {"pc_needs_wechat_pay", VIEW_R_OTHER,
	    W("product coupon: pay by WeChat payment code, not cash",
	    "商品券须用微信付款码支付，不能收现金"), 0, 0},
	[REASON_PC_ONLINE_ONLY] = {"offline_product_coupon", VIEW_R_OTHER,
	    W("offline: product coupons need the network",
	    "离线：商品券须联网使用"), 1, 0},
	[REASON_OTHER] = {"other", VIEW_R_OTHER, NOW, 0, 0},
};

enum view_cstate
checkout_cstate_view(enum checkout_cstate c)
{
	switch (c) {
	case CHECKOUT_PRICED: return VIEW_C_PRICED;
	case CHECKOUT_REFUSED: return VIEW_C_REJECTED;
	case CHECKOUT_PENDING: return VIEW_C_PENDING;
	case CHECKOUT_CONFIRMED: return VIEW_C_CONFIRMED;
	case CHECKOUT_REJECTED: return VIEW_C_REJECTED;
	case CHECKOUT_UNKNOWN: return VIEW_C_UNKNOWN;
	case CHECKOUT_ACCEPTED_OFFLINE: return VIEW_C_OFFLINE;
	case CHECKOUT_RETURN_PENDING: return VIEW_C_RETURN_PENDING;
	case CHECKOUT_RETURNED: return VIEW_C_RETURNED;
	case CHECKOUT_CONFLICT: return VIEW_C_CONFLICT;
	}
	return VIEW_C_PENDING;
}

enum reason
reason_parse(const char *id)
{
	int i;

	if (id == NULL || id[0] == '\0')
		return REASON_NONE;
	for (i = 0; i < REASON_OTHER; i++)
		if (strcmp(table[i].id, id) == 0)
			return (enum reason)i;
	return REASON_OTHER;
}

const struct reason_info *
reason_info(enum reason r)
{
	return (int)r >= 0 && r < REASON_COUNT ? &table[r] :
	    &table[REASON_OTHER];
}

const char *
reason_id(enum reason r)
{
	return reason_info(r)->id;
}

const char *
reason_text(enum reason r, const char *text)
{
	if (r == REASON_OTHER && text != NULL && text[0] != '\0')
		return text;
	return reason_id(r);
}

int
reason_is_void(enum reason r)
{
	return r == REASON_VOIDED || r == REASON_VOIDED_BEFORE_SEND ||
	    r == REASON_VOIDED_NOT_RETURNABLE ||
	    r == REASON_CARD_CONSUME_IRREVERSIBLE ||
	    r == REASON_CARD_NOT_CONSUMED;
}

enum reason
reason_of_rules(int rules_reason)
{
	return rules_reason >= 0 && rules_reason < RULES_R__COUNT ?
	    (enum reason)rules_reason : REASON_OTHER;
}

static const struct {
	const char *id, *en, *zh;
} kinds[] = {
	{ "NORMAL", "amount off", "满减券" },
	{ "DISCOUNT", "percent off", "折扣券" },
	{ "EXCHANGE", "exchange", "换购券" },
	{ "CASH", "cash coupon", "代金券" },
	{ "GIFT", "gift", "兑换券" },
	{ "GROUPON", "group deal", "团购券" },
	{ "GENERAL_COUPON", "coupon", "优惠券" },
	{ "merchant", "merchant coupon", "商家券" },
	{ "card", "card coupon", "卡券" },
	{ "product", "product coupon", "商品券" },
	{ "payment_code", "payment code", "付款码" },
	{ "other_wallet", "other wallet", "其他钱包" },
	{ "claim_qr", "claim QR", "领卡码" },
	{ "encrypted_card", "card (encrypted)", "加密卡券" },
	{ "unknown", "unknown code", "未知码" },
	{ "invalid", "not a code", "无效码" },
};

const char *
coupon_kind_words(const char *id, int zh)
{
	size_t i;

	if (id == NULL)
		return "";
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].id, id) == 0)
			return zh ? kinds[i].zh : kinds[i].en;
	return id;
}

/* enum pc_state (core/pcoupon.h): WeChat's name, the cashier's words */
static const struct {
	const char *name, *en, *zh;
} pc_states[] = {
	{"UNKNOWN", "state unknown", "状态未知"},
	{"CONFIRMING", "awaiting confirmation", "待确认发放"},
	{"PENDING", "not yet valid", "已发放待生效"},
	{"EFFECTIVE", "usable", "可使用"},
	{"USED", "used", "已核销"},
	{"EXPIRED", "expired", "已过期"},
	{"DELETED", "deleted", "已删除"},
	{"DEACTIVATED", "deactivated", "已失效"},
};

_Static_assert(sizeof pc_states / sizeof pc_states[0] == PC_ST_COUNT,
    "one row per enum pc_state");

static const char *const pc_use_names[] = {
	"planned", "sent", "used", "failed", "return_pending", "returned",
	"conflict"
};
_Static_assert(sizeof pc_use_names / sizeof pc_use_names[0] ==
    PC_USE_COUNT, "one name per enum pc_use_state");

const char *
pc_use_state_name(int st)
{
	return (unsigned)st < PC_USE_COUNT ? pc_use_names[st] : "?";
}

enum checkout_cstate
pc_use_cstate(int st)
{
	static const enum checkout_cstate map[] = {
		CHECKOUT_PENDING, CHECKOUT_UNKNOWN, CHECKOUT_CONFIRMED,
		CHECKOUT_REJECTED, CHECKOUT_RETURN_PENDING, CHECKOUT_RETURNED,
		CHECKOUT_CONFLICT
	};

	return st >= 0 && st < PC_USE_COUNT ? map[st] : CHECKOUT_UNKNOWN;
}

const char *
pc_state_name(int st)
{
	if (st >= 0 && (size_t)st < sizeof pc_states / sizeof pc_states[0])
		return pc_states[st].name;
	return "?";
}

int
pc_state_parse(const char *s)
{
	size_t i;

	for (i = 1; s != NULL && i < sizeof pc_states / sizeof pc_states[0];
	    i++)
		if (strcmp(pc_states[i].name, s) == 0)
			return (int)i;
	return 0;
}

const char *
pc_state_words(int st, int zh)
{
	if (st < 0 || (size_t)st >= sizeof pc_states / sizeof pc_states[0])
		st = 0;
	return zh ? pc_states[st].zh : pc_states[st].en;
}

enum reason
coupon_wx_refusal(const char *state, int64_t now, int64_t start_at,
    int64_t expire_at, int64_t used_at, int64_t *at)
{
	*at = 0;
	if (state == NULL)
		return REASON_NONE;
	if (strcmp(state, "USED") == 0) {
		*at = used_at > 0 ? used_at : 0;
		return REASON_ALREADY_USED;
	}
	if (strcmp(state, "EXPIRED") == 0) {
		*at = expire_at > 0 ? expire_at : 0;
		return REASON_EXPIRED;
	}
	if (strcmp(state, "DEACTIVATED") == 0)
		return REASON_WX_DEACTIVATED;
	if (strcmp(state, "DELETED") == 0)
		return REASON_WX_DELETED_OR_GIFTING;
	if (strcmp(state, "SENDED") != 0)
		return REASON_NONE; /* PENDING_REDEEM …: not ours to word */
	/* available: its own dates may still rule it out at this moment
	 * (WeChat flips SENDED to EXPIRED in its own time) */
	if (start_at > 0 && now < start_at) {
		*at = start_at;
		return REASON_NOT_YET_VALID;
	}
	if (expire_at > 0 && now >= expire_at) {
		*at = expire_at;
		return REASON_EXPIRED;
	}
	return REASON_NONE;
}
