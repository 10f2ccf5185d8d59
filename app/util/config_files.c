/*
 * config_files.c — the files config.h names and checks: key files (no
 * group/other bits), trust files (not writable by group/other) and the
 * data directory (created 0700, tightened or refused). Split from
 * config.c, the INI loader.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

/* path must be a regular file without the mode bits in bad; what names
 * it and fix is the command that repairs it. */
static int
check_file(const char *path, mode_t bad, const char *what, const char *how,
    const char *fix, char **cause)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		*cause = xasprintf("%s: cannot read %s: %s", path, what,
		    strerror(errno));
		return QUAN_ENOTFOUND;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: %s is not a regular file", path, what);
		return QUAN_EPERM;
	}
	if ((st.st_mode & bad) != 0) {
		*cause = xasprintf("%s: %s is %s by group/other (mode %03o); "
		    "refused: run %s %s", path, what, how,
		    (unsigned)(st.st_mode & 0777), fix, path);
		return QUAN_EPERM;
	}
	return QUAN_OK;
}

int
config_check_key_file(const char *path, char **cause)
{
	if (path == NULL || *path == '\0') {
		*cause = xasprintf("key file not configured");
		return QUAN_ENOTFOUND;
	}
	return check_file(path, 077, "key file", "readable", "chmod 600",
	    cause);
}

int
config_check_trust_file(const char *path, char **cause)
{
	if (path == NULL || *path == '\0')
		return QUAN_OK;
	/* whoever can rewrite it decides who WeChat is */
	return check_file(path, 022, "trust file", "writable", "chmod go-w",
	    cause);
}

static int
mkdirs(char *p)
{
	char *s;
	struct stat st;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		return -1;
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
config_data_dir(const char *opt, char **out, char **cause)
{
	const char *e;
	struct stat st;
	char *d;

	if (opt != NULL && *opt != '\0')
		d = xstrdup(opt);
	else if ((e = getenv("QUAN_DATA")) != NULL && *e != '\0')
		d = xstrdup(e);
	else if ((e = getenv("XDG_DATA_HOME")) != NULL && *e != '\0')
		d = xasprintf("%s/quan", e);
	else if ((e = getenv("HOME")) != NULL && *e != '\0')
		d = xasprintf("%s/.local/share/quan", e);
	else {
		*cause = xasprintf("no data directory: use --data DIR or "
		    "set QUAN_DATA");
		return QUAN_ECONFIG;
	}
	if (strlen(d) > PATH_MAX - 16) {
		*cause = xasprintf("data directory path too long");
		free(d);
		return QUAN_ECONFIG;
	}
	if (mkdirs(d) != 0) {
		*cause = xasprintf("%s: cannot create data directory: %s", d,
		    strerror(errno));
		free(d);
		return QUAN_EIO;
	}
	/* quan.db holds codes and openids: a folder made earlier by hand
	 * (or by a packaging step) with 0755 is tightened, or refused when
	 * that fails and quan could write there. One it can only read (an
	 * auditor reading another user's copy) is used with a warning. */
	memset(&st, 0, sizeof st);
	if (stat(d, &st) == 0 && (st.st_mode & 077) != 0) {
		if (chmod(d, st.st_mode & 0700) == 0)
			log_warn("%s: data directory was mode %03o; tightened "
			    "to %03o", d, (unsigned)(st.st_mode & 0777),
			    (unsigned)(st.st_mode & 0700));
		else if (access(d, W_OK) != 0)
			log_warn("%s: data directory is open to group/other "
			    "(mode %03o) and not ours to tighten; reading only",
			    d, (unsigned)(st.st_mode & 0777));
		else {
			*cause = xasprintf("%s: data directory is open to "
			    "group/other (mode %03o) and cannot be tightened "
			    "(%s); refused: run chmod 700 %s", d,
			    (unsigned)(st.st_mode & 0777), strerror(errno), d);
			free(d);
			return QUAN_EPERM;
		}
	}
	*out = d;
	return QUAN_OK;
}
