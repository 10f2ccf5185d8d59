/*
 * wxpay_int.h — the APIv3 client's handles and what its files share;
 * private to app/net:
 *
 * wxpay.c        contexts, results and their classes, verification and
 *                parsing of answers, the transport and the operations
 * wxpay_certs.c  the platform certificates' download (GET
 *                /v3/certificates), verified and decrypted
 */
#ifndef QUAN_NET_WXPAY_INT_H
#define QUAN_NET_WXPAY_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/wxpay.h"

#define CERTS_MAX 16
#define AUTO_REFRESH_MIN_S 30

struct wxpay_ctx {
	char *base_url;
	enum wx_scheme scheme;  /* merchant (APIv3) or brand (品牌API) */
	char *mchid;            /* the signer: mchid, or the brand_id */
	char *serial;
	char *public_key_id;
	char *ca_file;
	long connect_ms, total_ms;
	struct wx_key *key;
	struct wx_trust *trust;
	uint8_t apiv3[WX_APIV3_KEY_LEN];
	int have_apiv3;
	int64_t (*now)(void);
	/* Serialises automatic certificate downloads: a thread that meets
	 * an unknown serial waits for a download in progress, then checks
	 * again, instead of failing or downloading in parallel. */
	pthread_mutex_t refresh_mu;
	int64_t last_refresh; /* guarded by refresh_mu */
};

struct wxpay {
	struct wxpay_ctx *c;
	struct http *h;
};

/* wxpay.c */
int64_t wxpay_ctx_now(const struct wxpay_ctx *c);

#endif
