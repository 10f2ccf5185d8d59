/*
 * callbacks_int.h — what the callback receiver's files share (private to
 * app/net):
 *
 * callbacks.c        the server, COUPON.SEND (商家券), the shared opening
 *                    of a notification (signature, envelope, AEAD)
 * callbacks_store.c  a COUPON.SEND into the cache
 * callbacks_pc.c     PRODUCT_COUPON(_SP).SEND (商品券) into the registry,
 *                    and 确认发放
 */
#ifndef QUAN_NET_CALLBACKS_INT_H
#define QUAN_NET_CALLBACKS_INT_H

#include <stddef.h>
#include <stdint.h>

struct wx_trust;

#define CB_ALNUM "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* Verify a notification's signature under trust (by serial), then its
 * envelope, then decrypt its resource with key: id and event (64 bytes
 * each) and the plaintext *pt (new, *ptlen bytes; wipe and free). 0, or
 * QUAN_EPROTO (not authentic / not decryptable), QUAN_EINVAL (malformed)
 * with *cause (outside text: clean it before showing). */
int callbacks_open(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, char id[64],
    char event[64], char **pt, size_t *ptlen, char **cause);
/* The answer to a parse result rc: 200 "" for OK / ENOTFOUND, else 401
 * (EPROTO) or 400 with the FAIL body of *why (set if NULL). Returns rc. */
int callbacks_finish(int rc, int *status, char **reply, char **why);
/* s is non-empty and made only of bytes of set. */
int callbacks_all_in(const char *s, const char *set);
/* Replace *cause (outside text) by a cleaned copy. */
void callbacks_clean_cause(char **cause);

#endif
