/* err.c — text for quan's status codes. */
#include <stdlib.h>

#include "util/err.h"

const char *
quan_strerror(int rc)
{
	switch (rc) {
	case QUAN_OK: return "success";
	case QUAN_EINVAL: return "invalid argument or input";
	case QUAN_ENOMEM: return "out of memory";
	case QUAN_EIO: return "input/output error";
	case QUAN_ENOTFOUND: return "not found";
	case QUAN_EEXIST: return "already exists";
	case QUAN_ETOOBIG: return "too big";
	case QUAN_EFULL: return "full";
	case QUAN_ETIMEDOUT: return "timed out";
	case QUAN_EPROTO: return "protocol error";
	case QUAN_ECORRUPT: return "data corrupt";
	case QUAN_EPERM: return "not permitted";
	case QUAN_EBUSY: return "busy";
	case QUAN_ECONFIG: return "configuration error";
	case QUAN_ENOTSUP: return "not supported";
	case QUAN_ECLOSED: return "closed";
	case QUAN_ENET: return "network error";
	case QUAN_EREJECTED: return "rejected";
	case QUAN_ETLS: return "TLS error";
	case QUAN_ECLOCK: return "clock skew";
	}
	return "unknown error";
}

void
err_set_cause(char **cause, char *msg)
{
	if (cause != NULL) {
		free(*cause);
		*cause = msg;
	} else
		free(msg);
}
