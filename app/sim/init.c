/*
 * init.c — `quan sim init DIR`: every key, certificate and secret the
 * simulator and its clients need, named as WeChat names them, plus a client
 * config (DIR/quan.conf) that talks to this simulator and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SIM_MCHID "1900000001"
#define SIM_APPID "wx1234567890abcdef"
#define SIM_CARD_APPID "wxabcdef0123456789"
#define SIM_BRAND_ID "120344"

static int
mkdir_p(const char *path, char **cause)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("mkdir %s: %s", path, strerror(errno));
		return QUAN_EIO;
	}
	return 0;
}

/* Write text to dir/name with mode (temp file + rename). */
static int
write_file(const char *dir, const char *name, const char *text, int mode,
	char **cause)
{
	char *path = sim_path(dir, name), *tmp = xasprintf("%s.tmp", path);
	int fd, rc = 0;
	size_t len = strlen(text);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, (mode_t)mode) != 0 ||
	    write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		rc = QUAN_EIO;
	}
	if (fd >= 0)
		close(fd);
	if (rc == 0 && rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = QUAN_EIO;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

static int
save_key(const char *dir, const char *name, struct wx_key *k, char **cause)
{
	char *path = sim_path(dir, name);
	int rc = wx_key_save(k, path, cause);

	free(path);
	return rc;
}

static int
save_cert(const char *dir, const char *name, struct wx_cert *c,
	char **cause)
{
	char *path = sim_path(dir, name);
	int rc = wx_cert_save(c, path, cause);

	free(path);
	return rc;
}

static void
upper_hex(char *out, size_t nbytes)
{
	static const char hx[] = "0123456789ABCDEF";
	uint8_t b[32];
	size_t i;

	if (nbytes > sizeof b)
		nbytes = sizeof b;
	if (crypto_random(b, nbytes) != 0)
		memset(b, 0x5a, nbytes);
	b[0] = (uint8_t)((b[0] & 0x7f) | 0x10); /* positive, 40 digits */
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

/* 商品券 brand-direct credentials (DIR/brand/): the brand API certificate
 * and key (the till signs with them), the brand's WeChat Pay public key
 * pair (the simulator signs answers and callbacks; the till verifies) and
 * the 品牌API密钥. Fills serial and pkid. */
static int
init_brand(const char *dir, struct wx_key *cak, struct wx_cert *ca,
	char serial[48], char pkid[64], char **cause)
{
	struct wx_key *bk = NULL, *pk = NULL;
	struct wx_cert *bc = NULL;
	struct wx_pub *pub = NULL;
	struct wx_cert_spec sp;
	char key[40], digits[32], *p, *line;
	int rc = QUAN_EIO;

	p = sim_path(dir, "brand");
	rc = mkdir_p(p, cause);
	free(p);
	if (rc != 0)
		return rc;
	if (wx_key_generate(2048, &bk) != 0 ||
	    wx_key_generate(2048, &pk) != 0) {
		*cause = xstrdup("RSA key generation failed");
		rc = QUAN_EIO;
		goto out;
	}
	upper_hex(serial, 20);
	memset(&sp, 0, sizeof sp);
	sp.cn = SIM_BRAND_ID;
	sp.org = "quan simulator brand";
	sp.serial_hex = serial;
	if ((rc = wx_cert_make(&sp, bk, ca, cak, &bc, cause)) != 0 ||
	    (rc = wx_pub_from_key(pk, &pub)) != 0)
		goto out;
	sim_rand_digits(digits, 26);
	snprintf(pkid, 64, "PUB_KEY_ID_02%s", digits);
	sim_rand_alnum(key, 32);
	line = xasprintf("%s\n", key);
	p = sim_path(dir, "brand/pub_key.pem");
	(void)((rc = save_cert(dir, "brand/apiclient_cert.pem", bc, cause)) ||
	    (rc = save_key(dir, "brand/apiclient_key.pem", bk, cause)) ||
	    (rc = save_key(dir, "brand/pub_key_private.pem", pk, cause)) ||
	    (rc = wx_pub_save(pub, p, cause)) ||
	    (rc = write_file(dir, "brand/api.key", line, 0600, cause)));
	free(p);
	memset(line, 0, strlen(line));
	free(line);
	memset(key, 0, sizeof key);
out:
	wx_key_free(bk);
	wx_key_free(pk);
	wx_cert_free(bc);
	wx_pub_free(pub);
	return rc;
}

int
sim_init(const char *dir, unsigned port, int force, char **cause)
{
	struct wx_key *cak = NULL, *srvk = NULL, *mk = NULL, *pk = NULL;
	struct wx_key *pubk = NULL;
	struct wx_cert *ca = NULL, *srv = NULL, *mc = NULL, *pc = NULL;
	struct wx_pub *pub = NULL;
	struct wx_cert_spec sp;
	static const char *const dns[] = {"localhost", NULL};
	static const char *const ips[] = {"127.0.0.1", "::1", NULL};
	char mserial[48], pserial[48], pkid[64], apiv3[40], secret[40];
	char apiv2[40], bserial[48], bpkid[64];
	char *p, *conf = NULL, *ids = NULL;
	json_t *j;
	int rc;
	struct stat st;

	p = sim_path(dir, "sim.json");
	if (!force && stat(p, &st) == 0) {
		*cause = xasprintf("%s exists: %s was already initialised "
			"(use --force to start over)", p, dir);
		free(p);
		return QUAN_EEXIST;
	}
	free(p);
	if (port == 0 || port > 65535) {
		*cause = xasprintf("bad port %u", port);
		return QUAN_EINVAL;
	}
	if ((rc = mkdir_p(dir, cause)) != 0)
		return rc;
	p = sim_path(dir, "merchant");
	rc = mkdir_p(p, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "platform");
	rc = mkdir_p(p, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "server");
	rc = mkdir_p(p, cause);
	free(p);
	if (rc != 0)
		return rc;
	if (force) {
		p = sim_path(dir, "sim.db");
		unlink(p);
		free(p);
		p = sim_path(dir, "sim.db-wal");
		unlink(p);
		free(p);
		p = sim_path(dir, "sim.db-shm");
		unlink(p);
		free(p);
	}

	rc = QUAN_EIO;
	if (wx_key_generate(2048, &cak) != 0 ||
	    wx_key_generate(2048, &srvk) != 0 ||
	    wx_key_generate(2048, &mk) != 0 ||
	    wx_key_generate(2048, &pk) != 0 ||
	    wx_key_generate(2048, &pubk) != 0) {
		*cause = xstrdup("RSA key generation failed");
		goto out;
	}
	/* the test CA */
	memset(&sp, 0, sizeof sp);
	sp.cn = "quan-sim Test CA";
	sp.org = "quan simulator (NOT Tenpay)";
	sp.is_ca = 1;
	if ((rc = wx_cert_make(&sp, cak, NULL, NULL, &ca, cause)) != 0)
		goto out;
	/* the HTTPS server certificate */
	memset(&sp, 0, sizeof sp);
	sp.cn = "127.0.0.1";
	sp.org = "quan simulator";
	sp.server = 1;
	sp.dns = dns;
	sp.ip = ips;
	if ((rc = wx_cert_make(&sp, srvk, ca, cak, &srv, cause)) != 0)
		goto out;
	/* merchant API certificate, serial as WeChat's: 40 hex digits */
	upper_hex(mserial, 20);
	memset(&sp, 0, sizeof sp);
	sp.cn = SIM_MCHID;
	sp.org = "quan simulator merchant";
	sp.serial_hex = mserial;
	if ((rc = wx_cert_make(&sp, mk, ca, cak, &mc, cause)) != 0)
		goto out;
	/* platform certificate (5 years, as WeChat's) */
	upper_hex(pserial, 20);
	memset(&sp, 0, sizeof sp);
	sp.cn = "Tenpay.com Root CA (quan-sim platform)";
	sp.org = "quan simulator platform";
	sp.serial_hex = pserial;
	sp.not_before = tm_now() - 86400;
	sp.not_after = tm_now() + 5 * 365 * 86400LL;
	if ((rc = wx_cert_make(&sp, pk, ca, cak, &pc, cause)) != 0)
		goto out;
	if ((rc = wx_pub_from_key(pubk, &pub)) != 0)
		goto out;
	{
		char digits[32];

		sim_rand_digits(digits, 26);
		snprintf(pkid, sizeof pkid, "PUB_KEY_ID_01%s", digits);
	}
	sim_rand_alnum(apiv3, 32);
	sim_rand_alnum(secret, 32);
	sim_rand_alnum(apiv2, 32);
	for (p = secret; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');

	if ((rc = save_cert(dir, "ca.pem", ca, cause)) ||
	    (rc = save_key(dir, "ca_key.pem", cak, cause)) ||
	    (rc = save_cert(dir, "server/cert.pem", srv, cause)) ||
	    (rc = save_key(dir, "server/key.pem", srvk, cause)) ||
	    (rc = save_cert(dir, "merchant/apiclient_cert.pem", mc, cause)) ||
	    (rc = save_key(dir, "merchant/apiclient_key.pem", mk, cause)) ||
	    (rc = save_cert(dir, "platform/cert.pem", pc, cause)) ||
	    (rc = save_key(dir, "platform/key.pem", pk, cause)) ||
	    (rc = save_key(dir, "platform/pub_key_private.pem", pubk,
	    cause)))
		goto out;
	if ((rc = init_brand(dir, cak, ca, bserial, bpkid, cause)) != 0)
		goto out;
	p = sim_path(dir, "platform/pub_key.pem");
	rc = wx_pub_save(pub, p, cause);
	free(p);
	if (rc != 0)
		goto out;
	{
		char *line = xasprintf("%s\n", pkid);

		rc = write_file(dir, "platform/pub_key_id", line, 0644, cause);
		free(line);
		if (rc != 0)
			goto out;
	}
	{
		char *line = xasprintf("%s\n", apiv3);

		rc = write_file(dir, "apiv3.key", line, 0600, cause);
		memset(line, 0, strlen(line));
		free(line);
		if (rc != 0)
			goto out;
		line = xasprintf("%s\n", secret);
		rc = write_file(dir, "card.secret", line, 0600, cause);
		memset(line, 0, strlen(line));
		free(line);
		if (rc != 0)
			goto out;
		/* the APIv2 key (付款码支付 over /pay/micropay) */
		line = xasprintf("%s\n", apiv2);
		rc = write_file(dir, "apiv2.key", line, 0600, cause);
		memset(line, 0, strlen(line));
		free(line);
		if (rc != 0)
			goto out;
	}
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "mchid",
		SIM_MCHID, "appid", SIM_APPID, "merchant_serial",
		wx_cert_serial(mc), "platform_serial", wx_cert_serial(pc),
		"pub_key_id", pkid, "card_appid", SIM_CARD_APPID, "port",
		(json_int_t)port, "brand_id", SIM_BRAND_ID, "brand_serial",
		bserial, "brand_pub_key_id", bpkid);
	ids = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	conf = xasprintf(
		"; quan client configuration for the local WeChat simulator\n"
		"; (written by 'quan sim init'; 'quan sim serve' rewrites the\n"
		"; base_url lines when it listens on another port).\n"
		"[terminal]\n"
		"id = T01\n"
		"store_id = S001\n"
		"timezone = Asia/Shanghai\n"
		"\n"
		"[wechatpay]\n"
		"mchid = %s\n"
		"appid = %s\n"
		"merchant_serial = %s\n"
		"private_key = merchant/apiclient_key.pem\n"
		"apiv3_key = apiv3.key\n"
		"platform_cert = platform/cert.pem\n"
		"public_key_id = %s\n"
		"public_key = platform/pub_key.pem\n"
		"base_url = https://127.0.0.1:%u\n"
		"ca_file = ca.pem\n"
		"\n"
		"[card]\n"
		"appid = %s\n"
		"secret = card.secret\n"
		"base_url = https://127.0.0.1:%u\n"
		"ca_file = ca.pem\n"
		"\n"
		"[pay]\n"
		"api = v3\n"
		"v2_key_file = apiv2.key\n"
		"v2_cert = merchant/apiclient_cert.pem\n"
		"\n"
		"; 商品券: partner mode signs with [wechatpay]; mode = brand\n"
		"; uses the brand's own keys below\n"
		"[product_coupon]\n"
		"mode = partner\n"
		"brand_id = %s\n"
		"appid = %s\n"
		"brand_serial = %s\n"
		"private_key = brand/apiclient_key.pem\n"
		"public_key_id = %s\n"
		"public_key = brand/pub_key.pem\n"
		"api_key = brand/api.key\n",
		SIM_MCHID, SIM_APPID, wx_cert_serial(mc), pkid, port,
		SIM_CARD_APPID, port, SIM_BRAND_ID, SIM_APPID, bserial, bpkid);
	if ((rc = write_file(dir, "quan.conf", conf, 0644, cause)) != 0)
		goto out;
	{
		char *txt = xasprintf("%s\n", ids);

		rc = write_file(dir, "sim.json", txt, 0644, cause);
		free(txt);
		if (rc != 0)
			goto out;
	}
	{
		struct simdb *db = NULL;

		p = sim_path(dir, "sim.db");
		rc = sim_db_open(p, &db, cause);
		free(p);
		simdb_close(db);
	}
out:
	memset(apiv3, 0, sizeof apiv3);
	memset(secret, 0, sizeof secret);
	memset(apiv2, 0, sizeof apiv2);
	free(conf);
	free(ids);
	wx_key_free(cak);
	wx_key_free(srvk);
	wx_key_free(mk);
	wx_key_free(pk);
	wx_key_free(pubk);
	wx_pub_free(pub);
	wx_cert_free(ca);
	wx_cert_free(srv);
	wx_cert_free(mc);
	wx_cert_free(pc);
	return rc;
}
