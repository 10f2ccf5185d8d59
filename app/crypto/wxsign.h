/*
 * wxsign.h — WeChat Pay APIv3 cryptography: keys and certificates, the
 * WECHATPAY2-SHA256-RSA2048 request signature and Authorization header,
 * response/callback verification (timestamp window, WECHATPAY/SIGNTEST/),
 * AEAD_AES_256_GCM, base64, nonces, and key/certificate generation for the
 * simulator. Shared by the simulator (server side) and the clients.
 *
 * All functions may be called from any thread; the object types are
 * immutable after creation except struct wx_trust, which locks internally.
 * Errors: QUAN_EINVAL for malformed input, QUAN_EPROTO for a failed
 * verification, QUAN_ECLOCK for a timestamp too far from the clock (a
 * code: a wrong till clock is shown as such), QUAN_EPERM for a key file readable by group/other, QUAN_EIO
 * for file errors. Messages go to `char **cause` (may be NULL; caller frees).
 * Frees are NULL-safe. Nothing here ever logs a key, secret or signature.
 */
#ifndef QUAN_WXSIGN_H
#define QUAN_WXSIGN_H

#include <stddef.h>
#include <stdint.h>

#define WX_AUTH_SCHEMA "WECHATPAY2-SHA256-RSA2048"
/* 品牌API (商品券 brand-direct): same message and RSA signature, its own
 * schema, brand_id="…" where APIv3 has mchid="…". */
#define WX_BRAND_AUTH_SCHEMA "WECHATPAY-BRAND-SHA256-RSA2048"
#define WX_SIGNTEST_PREFIX "WECHATPAY/SIGNTEST/"
#define WX_APIV3_KEY_LEN 32   /* AEAD_AES_256_GCM key: 32 ASCII bytes */
#define WX_GCM_NONCE_LEN 12   /* WeChat's nonce: 12 ASCII bytes */
#define WX_GCM_TAG_LEN 16
#define WX_NONCE_LEN 32       /* our request nonces: 32 upper-case hex */
/* Timestamp window: reject when |now - ts| >= 300 s (GO/JV rule; PHP
 * accepts exactly 300 s, we do not). */
#define WX_MAX_SKEW_S 300
#define WX_SERIAL_MAX 128     /* serial / PUB_KEY_ID_ text, NUL included */
#define WX_PUBKEY_ID_PREFIX "PUB_KEY_ID_"

struct wx_key;   /* an RSA private key (merchant key, simulator keys) */
struct wx_pub;   /* an RSA public key (bare PEM, or from a cert or a key) */
struct wx_cert;  /* an X.509 certificate */
struct wx_trust; /* public keys by serial / PUB_KEY_ID_; locked inside */

/* ---- base64 (standard alphabet, '=' padding, no line breaks) ---------- */

/* Encode n bytes; returns a new NUL-terminated string (caller frees). */
char *wx_b64_encode(const void *p, size_t n);
/* Strict decode of s (length n): no whitespace, correct padding, length a
 * multiple of 4. *out gets a new buffer (NUL-terminated for convenience,
 * *outlen excludes it). QUAN_EINVAL on any malformed input. */
int wx_b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

/* A fresh request nonce: WX_NONCE_LEN upper-case hex chars + NUL into out.
 * QUAN_EIO if the RNG fails. */
int wx_nonce(char out[WX_NONCE_LEN + 1]);

/* ---- secret files ----------------------------------------------------- */

/* Refuse a secret file that is group/other accessible (any of 077 bits) or
 * not a regular file: QUAN_EPERM with a cause naming the path and the fix
 * ("chmod 600 PATH"). QUAN_EIO/QUAN_ENOTFOUND if it cannot be stat()ed. */
int wx_secret_check_mode(const char *path, char **cause);
/* Read a small secret file (after the mode check): content with trailing
 * whitespace/newlines stripped, at most max bytes (else QUAN_ETOOBIG).
 * *out is new (caller frees; wipe with wx_wipe_free). */
int wx_secret_read(const char *path, size_t max, char **out, char **cause);
/* Read the APIv3 key file: exactly 32 bytes after trimming, else
 * QUAN_EINVAL. Mode-checked. */
int wx_apiv3_key_load(const char *path, uint8_t key[WX_APIV3_KEY_LEN],
    char **cause);
/* Zero then free a NUL-terminated secret string. NULL-safe. */
void wx_wipe_free(char *s);

/* ---- private keys ----------------------------------------------------- */

/* Load a PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE
 * KEY"), RSA of at least 2048 bits. wx_key_load_file first applies
 * wx_secret_check_mode (QUAN_EPERM). *out is new; wx_key_free it. */
int wx_key_load_file(const char *path, struct wx_key **out, char **cause);
int wx_key_load_pem(const char *pem, size_t n, struct wx_key **out,
    char **cause);
/* New RSA key pair (bits >= 2048; 2048 for everything WeChat-shaped). */
int wx_key_generate(int bits, struct wx_key **out);
void wx_key_free(struct wx_key *k);
/* PKCS#8 PEM of the private key (new string; wipe with wx_wipe_free). */
char *wx_key_pem(const struct wx_key *k);
/* Write the PKCS#8 PEM to path with mode 0600 (temp file + rename). */
int wx_key_save(const struct wx_key *k, const char *path, char **cause);

/* ---- public keys ------------------------------------------------------ */

/* Load a bare "PUBLIC KEY" PEM (SubjectPublicKeyInfo); also accepts "RSA
 * PUBLIC KEY" (PKCS#1). Not secret: no mode check. */
int wx_pub_load_file(const char *path, struct wx_pub **out, char **cause);
int wx_pub_load_pem(const char *pem, size_t n, struct wx_pub **out,
    char **cause);
/* The public half of a private key / a certificate's key (new object). */
int wx_pub_from_key(const struct wx_key *k, struct wx_pub **out);
int wx_pub_from_cert(const struct wx_cert *c, struct wx_pub **out);
void wx_pub_free(struct wx_pub *p);
/* "PUBLIC KEY" PEM (new string). */
char *wx_pub_pem(const struct wx_pub *p);
/* Write it with mode 0644 (temp + rename). */
int wx_pub_save(const struct wx_pub *p, const char *path, char **cause);

/* ---- certificates ----------------------------------------------------- */

int wx_cert_load_file(const char *path, struct wx_cert **out, char **cause);
int wx_cert_load_pem(const char *pem, size_t n, struct wx_cert **out,
    char **cause);
void wx_cert_free(struct wx_cert *c);
/* Serial number as upper-case hex without leading zeros beyond what the
 * DER integer carries (WeChat's serial_no form, e.g.
 * "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"). Borrowed; lives with c. */
const char *wx_cert_serial(const struct wx_cert *c);
/* Validity (UTC epoch seconds). */
int64_t wx_cert_not_before(const struct wx_cert *c);
int64_t wx_cert_not_after(const struct wx_cert *c);
/* Subject as a one-line string ("CN=..., O=..."); borrowed. */
const char *wx_cert_subject(const struct wx_cert *c);
/* 0 if now lies within the validity period, else QUAN_EPROTO + cause. */
int wx_cert_check_time(const struct wx_cert *c, int64_t now, char **cause);
/* 0 if c is signed by issuer's key, else QUAN_EPROTO. */
int wx_cert_check_issuer(const struct wx_cert *c, const struct wx_cert *issuer);
char *wx_cert_pem(const struct wx_cert *c);  /* new string */
int wx_cert_save(const struct wx_cert *c, const char *path, char **cause);

/* Certificate generation (the simulator's `quan sim init`). */
struct wx_cert_spec {
	const char *cn;          /* subject CN (required) */
	const char *org;         /* subject O (optional) */
	const char *serial_hex;  /* serial in hex; NULL = 20 random bytes */
	int64_t not_before;      /* epoch s; 0 = now - 1 day */
	int64_t not_after;       /* epoch s; 0 = not_before + 10 years */
	int is_ca;               /* basicConstraints CA:TRUE, keyCertSign */
	int server;              /* extendedKeyUsage serverAuth */
	const char *const *dns;  /* NULL-terminated subjectAltName DNS list */
	const char *const *ip;   /* NULL-terminated SAN IP list ("127.0.0.1") */
};
/* Issue a certificate for subject_key. issuer/issuer_key NULL =
 * self-signed (issuer_key must then be NULL too, subject_key signs).
 * SHA-256 signature. *out is new. */
int wx_cert_make(const struct wx_cert_spec *spec,
    const struct wx_key *subject_key, const struct wx_cert *issuer,
    const struct wx_key *issuer_key, struct wx_cert **out, char **cause);

/* ---- SHA256withRSA ---------------------------------------------------- */

/* RSASSA-PKCS1-v1_5 over SHA-256 of msg; *sig_b64 is new (caller frees). */
int wx_sign(const struct wx_key *k, const void *msg, size_t n,
    char **sig_b64);
/* 0 if sig_b64 is a valid signature of msg under p; QUAN_EPROTO otherwise
 * (bad base64, wrong length, mismatch, empty, or a WECHATPAY/SIGNTEST/
 * probe value — probes are ordinary failures, never success). */
int wx_verify(const struct wx_pub *p, const void *msg, size_t n,
    const char *sig_b64);
/* 1 if sig starts with WECHATPAY/SIGNTEST/, else 0. For log wording only. */
int wx_is_signtest(const char *sig);

/* ---- messages --------------------------------------------------------- */

/* Request message: METHOD\nURL\nTS\nNONCE\nBODY\n (body may be empty;
 * URL = raw path + "?" + raw query as sent). New string, *len set (the
 * string is also NUL-terminated). */
char *wx_req_message(const char *method, const char *url, const char *ts,
    const char *nonce, const void *body, size_t body_len, size_t *len);
/* Response / callback message: TS\nNONCE\nBODY\n. */
char *wx_resp_message(const char *ts, const char *nonce, const void *body,
    size_t body_len, size_t *len);

/* Check a Wechatpay-Timestamp / Authorization timestamp: decimal digits
 * only (1-19) (else QUAN_EPROTO + cause), and |now - ts| < WX_MAX_SKEW_S
 * (else QUAN_ECLOCK + cause: stale, or one of the two clocks is wrong). */
int wx_check_timestamp(const char *ts, int64_t now, char **cause);

/* ---- Authorization header --------------------------------------------- */

/* Who signs: the merchant (APIv3, mchid=) or a brand (品牌API, brand_id=). */
enum wx_scheme { WX_SCHEME_MERCHANT = 0, WX_SCHEME_BRAND };
/* The schema word and the identity key of a scheme (static strings). */
const char *wx_scheme_schema(enum wx_scheme s);
const char *wx_scheme_id_key(enum wx_scheme s);

/* The value of the Authorization header (no "Authorization: "):
 * WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",timestamp="..",
 * serial_no="..",signature=".." (field order as the official SDKs).
 * Signs the request message for method/url/body with k. ts NULL = now;
 * nonce NULL = a fresh wx_nonce(). *out is new. */
int wx_auth_header(const struct wx_key *k, const char *mchid,
    const char *serial, const char *method, const char *url,
    const void *body, size_t body_len, const char *ts, const char *nonce,
    char **out);
/* wx_auth_header for either scheme: id is the mchid or the brand_id. */
int wx_auth_header_as(enum wx_scheme scheme, const struct wx_key *k,
    const char *id, const char *serial, const char *method, const char *url,
    const void *body, size_t body_len, const char *ts, const char *nonce,
    char **out);
/* Layout only (given a ready signature; schema e.g. WX_AUTH_SCHEMA). */
char *wx_auth_format(const char *schema, const char *mchid,
    const char *nonce, const char *ts, const char *serial, const char *sig);
char *wx_auth_format_as(enum wx_scheme scheme, const char *id,
    const char *nonce, const char *ts, const char *serial, const char *sig);

/* Parsed Authorization header (server side). Fixed caps: hostile input
 * gets QUAN_EINVAL, never a big allocation. */
struct wx_auth {
	char schema[64];      /* "WECHATPAY2-SHA256-RSA2048" */
	char mchid[64];       /* mchid="" (merchant scheme) */
	char brand_id[64];    /* brand_id="" (brand scheme) */
	char nonce[128];
	char timestamp[24];
	char serial[WX_SERIAL_MAX];
	char signature[1024];
};
/* Parse `SCHEMA k="v",k="v",...` in any key order, spaces after commas
 * allowed; all five fields required (the identity being mchid or
 * brand_id, exactly one of them), duplicates/unknown keys refused.
 * Does not verify anything. QUAN_EINVAL + cause on malformed input. */
int wx_auth_parse(const char *hdr, struct wx_auth *out, char **cause);
/* Server-side check of a request: parse hdr, check the schema, the
 * timestamp window against now and the signature under merchant key p.
 * On a signature mismatch *message (if non-NULL) gets the reconstructed
 * message (new string) for a SIGN_ERROR detail. QUAN_EINVAL (malformed),
 * QUAN_ECLOCK (stale), QUAN_EPROTO (bad signature), cause says which. */
int wx_auth_verify(const char *hdr, const struct wx_pub *p,
    const char *method, const char *url, const void *body,
    size_t body_len, int64_t now, struct wx_auth *out, char **message,
    char **cause);
/* wx_auth_verify for either scheme: the schema and the identity key must
 * be the scheme's (a brand header on an APIv3 path is refused, and the
 * reverse). */
int wx_auth_verify_as(enum wx_scheme scheme, const char *hdr,
    const struct wx_pub *p, const char *method, const char *url,
    const void *body, size_t body_len, int64_t now, struct wx_auth *out,
    char **message, char **cause);

/* ---- response / callback verification -------------------------------- */

/* Verify Wechatpay-{Timestamp,Nonce,Signature} over body under p:
 * any header NULL/empty → QUAN_EPROTO ("missing Wechatpay-Nonce"); stale
 * timestamp → QUAN_ECLOCK; SIGNTEST or bad signature → QUAN_EPROTO. */
int wx_verify_response(const struct wx_pub *p, const char *ts,
    const char *nonce, const char *sig, const void *body, size_t body_len,
    int64_t now, char **cause);

/* Trust store: public keys by serial (platform-certificate serial in hex,
 * or a PUB_KEY_ID_... id). Thread-safe (internal mutex). */
struct wx_trust *wx_trust_new(void);
void wx_trust_free(struct wx_trust *t);
/* Add/replace the key for serial (copies the key). Certificates add their
 * own serial; their validity is kept to refuse expired ones at lookup. */
int wx_trust_add_pub(struct wx_trust *t, const char *serial,
    const struct wx_pub *p);
int wx_trust_add_cert(struct wx_trust *t, const struct wx_cert *c);
/* 1 if serial is known (and not expired at now), else 0. */
int wx_trust_has(struct wx_trust *t, const char *serial, int64_t now);
size_t wx_trust_count(struct wx_trust *t);
/* wx_verify_response with the key for serial. Unknown (or expired) serial
 * → QUAN_ENOTFOUND (platform-cert mode: refresh, then retry once); other
 * failures as wx_verify_response. */
int wx_trust_verify(struct wx_trust *t, const char *serial, const char *ts,
    const char *nonce, const char *sig, const void *body, size_t body_len,
    int64_t now, char **cause);

/* ---- AEAD_AES_256_GCM ------------------------------------------------- */

/* Encrypt pt with key (32 bytes), nonce (12 ASCII bytes as WeChat sends
 * them) and aad (may be "" or NULL); *ct_b64 = base64(ciphertext || tag),
 * new. */
int wx_aead_encrypt(const uint8_t key[WX_APIV3_KEY_LEN], const char *nonce,
    const char *aad, const void *pt, size_t pt_len, char **ct_b64);
/* Decrypt base64(ciphertext || tag). *pt is new and NUL-terminated,
 * *pt_len excludes the NUL. Bad base64 → QUAN_EINVAL; shorter than a tag,
 * wrong nonce/aad/key/tag → QUAN_EPROTO. */
int wx_aead_decrypt(const uint8_t key[WX_APIV3_KEY_LEN], const char *nonce,
    const char *aad, const char *ct_b64, char **pt, size_t *pt_len,
    char **cause);
/* General AES-GCM (key 16/24/32 bytes, any IV length >= 1), raw bytes in
 * and out, tag appended on encrypt / expected at the end on decrypt. For
 * the simulator and the SDK test vectors; production uses the above. */
int wx_gcm_encrypt(const uint8_t *key, size_t key_len, const void *iv,
    size_t iv_len, const void *aad, size_t aad_len, const void *pt,
    size_t pt_len, uint8_t **out, size_t *out_len);
int wx_gcm_decrypt(const uint8_t *key, size_t key_len, const void *iv,
    size_t iv_len, const void *aad, size_t aad_len, const void *ct,
    size_t ct_len, uint8_t **out, size_t *out_len);

/* Decrypt one encrypt_certificate of GET /v3/certificates (algorithm must
 * be AEAD_AES_256_GCM) and parse the PEM inside. If serial_no is non-NULL
 * it must equal the certificate's serial (QUAN_EPROTO otherwise). */
int wx_cert_decrypt(const uint8_t key[WX_APIV3_KEY_LEN],
    const char *algorithm, const char *nonce, const char *aad,
    const char *ct_b64, const char *serial_no, struct wx_cert **out,
    char **cause);

#endif
