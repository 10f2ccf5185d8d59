/*
 * err.h — quan's status codes. 0 is success, a negative QUAN_E* is failure;
 * results travel through out-parameters (libuv/nng style). Messages for
 * humans travel separately (a `char **cause` the caller frees, or the log).
 */
#ifndef QUAN_ERR_H
#define QUAN_ERR_H

enum quan_err {
	QUAN_OK = 0,
	QUAN_EINVAL = -1,    /* bad argument or malformed input */
	QUAN_ENOMEM = -2,    /* allocation refused (only where not fatal) */
	QUAN_EIO = -3,       /* I/O error (disk, device) */
	QUAN_ENOTFOUND = -4, /* no such row, file, code */
	QUAN_EEXIST = -5,    /* already exists / duplicate */
	QUAN_ETOOBIG = -6,   /* input over its documented cap */
	QUAN_EFULL = -7,     /* queue or disk full */
	QUAN_ETIMEDOUT = -8, /* deadline passed */
	QUAN_EPROTO = -9,    /* peer broke the protocol (bad reply, signature) */
	QUAN_ECORRUPT = -10, /* stored data failed an integrity check */
	QUAN_EPERM = -11,    /* refused: permissions, policy, role */
	QUAN_EBUSY = -12,    /* locked or in use; try again */
	QUAN_ECONFIG = -13,  /* configuration error */
	QUAN_ENOTSUP = -14,  /* feature not built in or not supported */
	QUAN_ECLOSED = -15,  /* queue or connection closed */
	QUAN_ENET = -16,     /* network unreachable / transport failure */
	QUAN_EREJECTED = -17, /* business rejection (coupon not usable) */
	QUAN_ETLS = -18,     /* TLS refused: the server's certificate is not
	                        trusted, expired or for another host, or the
	                        handshake failed (nothing was sent) */
	QUAN_ECLOCK = -19    /* a signed reply's timestamp is too far from
	                        our clock: stale, or this till's clock is
	                        wrong (no waiting fixes it) */
};

/* Static English text for a status code; never NULL. Any thread. */
const char *quan_strerror(int rc);

/* Give msg (malloc'd) to *cause, freeing what was there, or free it when
 * the caller passed no cause. */
void err_set_cause(char **cause, char *msg);

#endif
