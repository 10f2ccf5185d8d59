/*
 * test_wxsign.c — app/crypto/wxsign against every fixed vector of
 * ../shared/docs/wechatpay-test-vectors.md (DOC, SK, GO, JV, AX and the DER
 * busifavor vectors D1-D6), plus negative cases (tampering, wrong keys,
 * truncated base64, bad tags, SIGNTEST probes, the 300 s edge), key file
 * permissions, Authorization parsing and certificate generation.
 * Vectors are embedded verbatim (extracted by script from the doc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "util/err.h"
#include "util/tm.h"

#include "vectors.h"

static const char DOC_BODY[] =
	"{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1900007291\",\"des"
	"cription\":\"Image\345\275\242\350\261\241\345\272\227-\346\267\261"
	"\345\234\263\350\205\276\345\244\247-QQ\345\205\254\344\273\224\""
	",\"out_trade_no\":\"1217752501201407033233368018\",\"notify_url\""
	":\"https://www.weixin.qq.com/wxpay/pay.php\",\"amount\":{\"total"
	"\":100,\"currency\":\"CNY\"},\"payer\":{\"openid\":\"oUpF8uMuAJO"
	"_M2pxb1Q9zNjWeS6o\"}}";

static const char DOC_SIG[] =
	"jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1O"
	"QBbKYhFGvt7iqYpDSTQkp7Uq1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1"
	"CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9f/BnjXAOP3/sPObg"
	"6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe"
	"5kwoDpw4Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdU"
	"toE0liJGW3RGUNE0t4v01A==";

static const char DOC_GET_SIG[] =
	"JNEITrKv8DWEtBJGZtxG9ARa+eIZDIn1Ht3MQM5j9jP77TtHdfCqLjpwevfWftBu"
	"aGMfEdiu2sWYtLvnZIoLW3FH10OVCBzKncid5xClTwav8JX+uDeGBBX8w64iHvFy"
	"uQj8ukZT+F1AFJii8hmXLD8Os90thnL0bfJYLo/4K237TH4dEd44NTH9ElFb/ykr"
	"vv9RBs+mCNpy5IUe2Qxhba3d3RiMqhWK2sSr3tsVzQihJ0TPMnjWqoU2W5Y/v3rB"
	"FDmLhqe0ZW6A4vyvjmiR0v/8XEI25Py4PNyZXszsdl4j0zLqelUJxGEMUBhYg1LI"
	"oDPjYMlA9HV1yKD6+JYZJA==";

static const char SK_JSAPI_SIG[] =
	"mI35pfNEQV6777ke/1T+LJLQDNTm7yeoUJH+j/adPGhmCCi0PbgkvYQTRcXH0uib"
	"cLVtvFLdGLpmoYO9FV6lBBsTAjuhh5YOvQi0e2g3e0yytitiNET9FEuqM0pjnKfR"
	"W4K6LIZDdbWJv9KhZUx3DrJa5TL7OJ7VdADVivxVySIlPVKjGwuCXzuXSJes0UcI"
	"LgWQUMyha5/3nYofuHtS7r+KYyMuxD+oJ9VM1Qdxk4UIG59CP5Y3wtYIFybyF3bd"
	"u1caHTRRX+DLyMXyYA/IrTmiW01c4RPjpHBX5Dk1sZyY1zVsWNsvMHr2e1NTWtBx"
	"KJ+qk5N61J7caYoepHFaxw==";

static const char SK_APP_SIG[] =
	"gXx9KhTP6IooKV1SuG3OCGlBIgZbKtubCZvnau6khw1iffvNT28IzLbKmztq2xA/"
	"RCNbZa1XOsoiuVmAEeTZQicWfhv4P+O4oBRIrx0X9f3cnWFkMBU9alTWs0nyQ1N9"
	"fcILOTe0f4kxOhVh+/Xhn5hOiUK7Sz3XA1mcpa3R2NCWf/e+0ow/RDf15iTymOHg"
	"DrEkT/gedg/3E0iXfDX3mFicSZhrHESZDOTXcl9RzELREBUFznd/o2NQM99WcL86"
	"m23HY0cTy+QGWU4QDmNrbQ9ihmLW71qPb0Cx/d7EQvw/Kyx0A6s64ZQp3hHdcmiR"
	"cLnjVXrKCk7LShaCK+lS3Q==";

static const char GO_SIG[] =
	"BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU"
	"9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8Fw"
	"UXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29"
	"QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G"
	"4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7D"
	"FD27EpSQEqA8bX9+8m1rLg==";

static const char GO_CERT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDVzCCAj+gAwIBAgIJAPV2V1YAL913MA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV"
	"\n"
	"BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg"
	"\n"
	"Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg0MDMyWhcNMzEwNDI1MDg0MDMyWjBCMQsw"
	"\n"
	"CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh"
	"\n"
	"dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
	"\n"
	"2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag"
	"\n"
	"HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm"
	"\n"
	"DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83"
	"\n"
	"4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf"
	"\n"
	"y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk"
	"\n"
	"aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ"
	"\n"
	"umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T"
	"\n"
	"BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAM+tslqBxYwqL9fdvGG6hfy69sjfX"
	"\n"
	"UhBtBLWYugKKQCOWWLeq5dDWm3i5Cx2Rgiy9uc7RfmJNxQfIKlcoCNP85BjDoG1B"
	"\n"
	"YnVc6znlcrT9uHgseha3987WwZsFAQbcy8TLUYHzVB8gmDgq8O08xdIe0eczatI8"
	"\n"
	"t3Rg8WXO6Gs66JJ4JR+rD01o3FiSOQCRWhn19NSyDydsgPlOR2t9B9L+MkJwlsMG"
	"\n"
	"Krn85TnwL3qcInzRnU8X86faXXJrI0IJi44tECKw8ftngCl6vyNwNNKPDwdkcuuV"
	"\n"
	"8y3iBixO5IuKxEKEp2wGPV/4W1AXO73Z3Gb7z/1oxdgeO0hVqz1hBasTCQ==\n"
	"-----END CERTIFICATE-----\n";

static const char JV_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCaZzehUwzcxdLg"
	"\n"
	"Gn/UNryHLdX0yBvCqD0p92/BdlCIBi0dmzZzrfc+FF0xK70AP9b2+Ry5q+zXUU+d"
	"\n"
	"PucJmgwABiZ+Lte+4euMxqPCEkdEu9lyiphalpoaOVPbmDNatzq9k5a/P454QRWM"
	"\n"
	"dkLUJZCeoL9bF2Gn/2+wWEw3sL8zFFcOM8Jr1PdOLmAx+h7pf/87jcmXXCm+SZqw"
	"\n"
	"5MtILKQi9zHWujYdMA0IcYNeQaNl1h/NUnungdIHKaaU+17wCXqTcZsipAGoqfqr"
	"\n"
	"Hx/sr30ZszOdHYOvFNiB+rhEldBGSLWwSYE6LFkbP9GdQWKIQCip3E5dLj5ZFkDe"
	"\n"
	"Ov4Hekf9AgMBAAECggEAEsVsqnS90hNMzUj7dHHJHsgQRGeVlGc+tFzsHcGEDd1u"
	"\n"
	"W7SUfKDQN6BjKgiuvBqGyFTFzL7dltnAS5YroWu0fMZCpMGOIhs2N1Go8/2j43PQ"
	"\n"
	"/k9iMVUw2/JPQxmwWJ2BCy4nvA1+hRkohQCVpFQCzn4tdWYUzcdMrUw2y+h1fkCQ"
	"\n"
	"5MJn7iw9QHKQSeFeCl1/xq2PvOtiK/r1LsckyKNSSNgFEfxyWYaKbnK9OH+5rFKQ"
	"\n"
	"QuI+fnAgE6QiLvmW0NqqZUSfqkLKi/FSWI13ns0H6OxjqpLX8VQ6+Cw5qq8fCuv2"
	"\n"
	"gzkVk8A85ZTCQL/q9qDilt9uAE0bE924WU+n2zkBoQKBgQDQvIufN6fKpm27k4yx"
	"\n"
	"RNV23fj9nojewaVqGg/3yuyiAu6w/yFcTXkGMVOicTYraX2mliHTIoyP8ywKGqqa"
	"\n"
	"XS/Kk3tGD1K04KriPiFwWXU54+DmOJEyYoJlmXOm4BoZ1lW0z5HECC9eO/VPSDY+"
	"\n"
	"zQdRYSCTdSHEgYuOGQSLPPwdrQKBgQC9XTrvkUkIthayc+4IhV6m4kT8uwzuoc3f"
	"\n"
	"uaJhFFcpLKqzcpQBH71TYCXfqkucnO0no0sGerBB4HJQoVRK+jsdhNZhcw1JKLau"
	"\n"
	"E+YlCSRLZ62vyzBTzLw1fnFBp82z1VZBujCrMP+DdwXBTsnkRaUtmDEG0s6YsCwd"
	"\n"
	"fayF0PB9kQKBgAHc/P4R2ByV+brH6WSXsbQa7SMObDhY0CovS18x34Tes9S+okSZ"
	"\n"
	"qG/mttFnY01l5qo7AthIoaqTSBxa+pTgKhIL2PjaICnfK4dTeKbxFXvLzfEgJiOl"
	"\n"
	"/3X6ta6Sp4j9gcxYYfu2+v1DWcA4a8uJtvwB+vF2BTQk1+MP1BuOEs4NAoGBAK3y"
	"\n"
	"+HKdOUPBUPQ4vk4hhaMzcz/d67FB/UYo1lrrPm3aVCxnckHeECKIzgG6A58oIEor"
	"\n"
	"HH4lMcgyD5C1wiLl3mvtXKlD8M5lkfoy2VToIukJomk783bnOXTCY/N12+X4cTYL"
	"\n"
	"fS2k4vK24RiD8b25pFRP26ly+MkV/FBS46pBFsmhAoGAOjfl2vGyJo8CRQ/HBLsS"
	"\n"
	"Bw2VQgRvZU7mom1qa2SKA2VlsFz/aiBCcT8XEsTJxkVYkvbdfbyx2Z9kCbI6Y2cz"
	"\n"
	"Z+M/0rQSRv/eOiBW7anBImZMg6WcYNfRfumkuNq+6fcCKKtZuyrd7ZFc0jTcVasI"
	"\n"
	"xNJ1TM6J6kRQdn5O6Ot4ERw=\n"
	"-----END PRIVATE KEY-----\n";

static const char JV_SIG[] =
	"Rq+5ZpWV6IHTWE1+9gCrYJKguNgbItpMdlIA+PVCPCdUAKNlohZz7CL7Y8xWDIFJ"
	"jdGnErMj6Z+Q/h9CF5MV+nAVkqDmBR0uP5ppsUEzco4ijvKHsvI2ro4boSW6vSfQ"
	"s3W8I4QSI9a0/NFIgvj83Fv27LIYZf7deaFWmEwd1fpAeJRCyoKyBeJPdsjVx0//"
	"Lqe6Wze2zVdliLcBvaHCfpd8+rAVGS+FQDeWgHqJ7n/Zy09LmV1/ghs7pO1mdjdD"
	"16SHKlysAD3K5hNGUJX/SHrEXEcu1yO1AOb/YvOVkjNh8243rcfXNE5L4ph2XS11"
	"vS+2aToKYSOcKUagf0LLaw==";

static const char JV_CERT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDrTCCApWgAwIBAgIUXxxy4qiTG3Ki4Tr43ukkces5cRUwDQYJKoZIhvcNAQEL"
	"\n"
	"BQAwZjELMAkGA1UEBhMCQ04xEjAQBgNVBAgMCUd1YW5nZG9uZzERMA8GA1UEBwwI"
	"\n"
	"c2hlbnpoZW4xITAfBgNVBAoMGEludGVybmV0IFdpZGdpdHMgUHR5IEx0ZDENMAsG"
	"\n"
	"A1UEAwwEdGVzdDAeFw0yMjA1MTAwMTU3MTBaFw0yNTA1MDkwMTU3MTBaMGYxCzAJ"
	"\n"
	"BgNVBAYTAkNOMRIwEAYDVQQIDAlHdWFuZ2RvbmcxETAPBgNVBAcMCHNoZW56aGVu"
	"\n"
	"MSEwHwYDVQQKDBhJbnRlcm5ldCBXaWRnaXRzIFB0eSBMdGQxDTALBgNVBAMMBHRl"
	"\n"
	"c3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCaZzehUwzcxdLgGn/U"
	"\n"
	"NryHLdX0yBvCqD0p92/BdlCIBi0dmzZzrfc+FF0xK70AP9b2+Ry5q+zXUU+dPucJ"
	"\n"
	"mgwABiZ+Lte+4euMxqPCEkdEu9lyiphalpoaOVPbmDNatzq9k5a/P454QRWMdkLU"
	"\n"
	"JZCeoL9bF2Gn/2+wWEw3sL8zFFcOM8Jr1PdOLmAx+h7pf/87jcmXXCm+SZqw5MtI"
	"\n"
	"LKQi9zHWujYdMA0IcYNeQaNl1h/NUnungdIHKaaU+17wCXqTcZsipAGoqfqrHx/s"
	"\n"
	"r30ZszOdHYOvFNiB+rhEldBGSLWwSYE6LFkbP9GdQWKIQCip3E5dLj5ZFkDeOv4H"
	"\n"
	"ekf9AgMBAAGjUzBRMB0GA1UdDgQWBBQQicr3Vq+2NG2ykH0nxQxsct1RtTAfBgNV"
	"\n"
	"HSMEGDAWgBQQicr3Vq+2NG2ykH0nxQxsct1RtTAPBgNVHRMBAf8EBTADAQH/MA0G"
	"\n"
	"CSqGSIb3DQEBCwUAA4IBAQCH//ZlSAbc6xRlwKwwfbHMsVpAfo/p+Y3397Gi4sR8"
	"\n"
	"RbsW6a3ezXhbiSGiJxDnerx9Cmp4K6U+D3Fl0N9K6CDWfwpGNiZvjmCxtM/wb7dM"
	"\n"
	"u+4U0MXJGBcaePj4mtV/+qPxSWDCQ+PR5OcYRQnac9LfrffTuejQx5aw9FcD7egI"
	"\n"
	"SYfgkZ/wgHyQcZyhh8s6DuigpEaVGMLLoWDZGJ3D+rt4kXk9y5+03KBB2vobyl6P"
	"\n"
	"+PDgaYrlNR/UQMnKMdkgWp7bebmrcXte32/6FAwK3SuHZOSkteDtRCYhYfG5SGSr"
	"\n"
	"go1ujfIK1zIFyPkKKnsgTUPJXwdC7LI+ZqJuWTyVTNj6\n"
	"-----END CERTIFICATE-----\n";

static const char GO_NOTIFY_SIG[] =
	"tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6l"
	"Bu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBk"
	"h98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1IBLX"
	"70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRG"
	"rapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihDwIcb16TQMnzCM"
	"BoutnwZKNiKRACrFmtxw2Q==";

static const char GO_NOTIFY_BODY[] =
	"{\"id\":\"3119dfba-e649-5eec-ab1e-3412bc4d2e17\",\"create_time\""
	":\"2021-06-24T16:37:26+08:00\",\"resource_type\":\"encrypt-resou"
	"rce\",\"event_type\":\"PAYSCORE.USER_OPEN_SERVICE\",\"summary\":"
	"\"\347\255\276\347\272\246\346\210\220\345\212\237\",\"resource\""
	":{\"original_type\":\"payscore\",\"algorithm\":\"AEAD_AES_256_GC"
	"M\",\"ciphertext\":\"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQ"
	"rRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6X"
	"PWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9T"
	"EklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PX"
	"pnQ==\",\"associated_data\":\"payscore\",\"nonce\":\"Kj7QIyUiYx1"
	"q\"}}";

static const char GO_NOTIFY_CERT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV"
	"\n"
	"BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg"
	"\n"
	"Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw"
	"\n"
	"CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh"
	"\n"
	"dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
	"\n"
	"2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag"
	"\n"
	"HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm"
	"\n"
	"DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83"
	"\n"
	"4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf"
	"\n"
	"y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk"
	"\n"
	"aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ"
	"\n"
	"umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T"
	"\n"
	"BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh"
	"\n"
	"0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2"
	"\n"
	"kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/"
	"\n"
	"fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe"
	"\n"
	"2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq"
	"\n"
	"cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==\n"
	"-----END CERTIFICATE-----\n";

static const char GO_NOTIFY_PLAIN[] =
	"{\"mchid\":\"1234567890\",\"appid\":\"054aa7d7a2a54ab5898df65bd9"
	"6f001c\",\"create_time\":\"2020-06-30T12:12:00+08:00\",\"out_con"
	"tract_code\":\"21640bdbd08e473e828f3206a2741c6e\"}";

static const char JV_CERT_CT[] =
	"Mr/AxbvY+WL9hKlD5nIa03LOMPpn5f+CWeNxE4ujl0f5gXZ9XLJ9CldkArCOTsbU"
	"62XgKnTc3YvRMZQ7wCmE2fzwmAenAySTYsPms72JhggPWfdqVxri9YD5wBYKn8Ck"
	"0Fc5JIiVw9WlN2oxHBz83mRVsjoTGC5+cX1CdYqKuZ8pkvi0aCJIq07ZC8MHoTow"
	"Uz+4jYJy9XeKqip83Z7BmUYxsePpNM+HtihBqTJIUYXJfX7Col5X0ACsApRoU9l6"
	"swfW/kzvqNpDJavhDBGasLrr5822+Fk5nVkcTi53f8Wbue7ODWjJxj1yhRYcxFCv"
	"XLtpYNB+Qa1aXtrBSdBdBI2p7o+6Imn+auHLBCzkrZqF/yd+d4vTn4tqHPLUj89X"
	"cHsMf96uBo3T/HQV8LEDeIO+6YvOK9FrIDYsvp+imN4n/mnF7eJKo9mpN/QqWJia"
	"wrFpAmMMxFKBjIdpgMnVUl3Z11RcWKyfOJ3kcmItTWcnZFNyDgR9cS0aU6QPlefa"
	"3uUW89uzBuHjcFdDl43yU3LE4qZnHLDcDgx4qt0OFCLiy51GXtEpyYs5k99YJBvK"
	"K+RyIs4Yc1/smBmClQUhxW+8bsPNOcXfDvH2yX4YzESoO4TV0RqiCgnsSd4zIFyJ"
	"PiMKIGzVHiw6Kg0eGCmB4mGHEEZCQ0eN3SSPO0QVjjtBYfgXDZfVHSaAB8PjWBVN"
	"FimoViZZQrwT6Ygo0LU0Dd8+F5aHFYr4OPHPslr3hrgutEYXDTv1vTA6ABJGqknJ"
	"9Y2vtyWpy7aIwxc0kQq/1ezjs+RMVL/LRpGDnbx1/CGPDjZhYgZypKa55+PDhoaQ"
	"xqkF3xCLz2DGoNHZYmFqxzAOsAK0vJZw4VcAk6ssbA6YIaMuiemEpxfLC9ZiXtRq"
	"sX9s+GWjjtA8JywOFMO+NKZm9BH/E5YNg2DDD3sHG9Mciwn7yJ6sdf8h2lAWlEEx"
	"AOeiBNyshOHAQ0/S+x1ncWNiqY+Uh5n0rtonvePV2MsxVlEWR3AVHn1abcEWkziv"
	"d+G5kg7LYO0goqzGClcQfnFfZdO6KwcMXsBCnm9A1Bl4+k5LLokTIYH5/36SRIZ9"
	"j0CHGD77BQLE7x8AlNsoFS2m263tLLq78TFqvZUTIZIQcVIl+NInscS3xQbA38qq"
	"FqutCWIwoF1azuJ7woiJyMvnS3xzIpNzP+rzJ8VDXxjLjpEUBOC9WDs74+QMtsAd"
	"mh6g0KDclHEk8WJ4P2bnso4z3VCGoDT5X/0bS1C+jMZMKaOCNB21FZ08qgUHmKeD"
	"eg8ylENu+mh2Y/AaEDSGkGBHIfFbhMYO3uRxhk9hldiHEnHgdkXiVAAUWk/IhtmG"
	"ijibO/L76vB74Xpes973uK+2iFKgNBk8qTLLZZnuWbcMQuA6VsFULRb/C+q9B21Y"
	"uAWPMzvgBwr4EX2m/OpF5w8Q0HL7v1H5H0mIGJbrjnklUPoBYrw30W3uk7yF0KE6"
	"sfMukafFx0S9rBOL0RykGDPwC0lHSNySkXDeM5XvDJ+dtHK+RDwhJR+azfrWAHGM"
	"tZcQ+YVamjWVmHxXM03j3GeCXgqae1upwHzkPL5OwojcQ5MQi3Kv/1xtwY0cRN/y"
	"eZTOsXfujtqhkJj/Vltby4lnW4SCj4LjWQF19BY6zhzF4yybBA8bhhtoNP/zx8Qk"
	"hHAkIROkK2ZVgfocCAPvfQ+vSrsIBO+L5cmg6mzFn4g84lsHscgXnszIlzUrzx/4"
	"Tam0uwuS9J1gddZ0I0QUt9SJzfsoBCTU0OgNMUtXKS5HvgXe7abexMtFH5eulOsA"
	"uFZkQ5LYJa/m4yHFInXzL/t3hjdTi2NmxUufvYzwIyffRTu5vS9vjscARD9lUQDH"
	"FQ/xgWe1i8EkRlrSfjlXt00+4//h2bcJKyTBT3IXwvKNsuY29V9/vU3HkvWKZ99z"
	"pSlmcZRuBa1BHbyPEvc0NlqIIoKidxqUvOR64MzudHhAjgWFP+IXojfhS3Gj9OJh"
	"BL7s";

static const char D1_AUTH[] =
	"WECHATPAY2-SHA256-RSA2048 mchid=\"1900007291\",nonce_str=\"593BE"
	"C0C930BF1AFEB40B4A08C8FB242\",timestamp=\"1554208460\",serial_no"
	"=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\",signature=\"XlHYCp"
	"zJ4g+sJ/jgcaLhM7jfPpCXQ8B9v1d97mxh0YTuz7/Pw2Wij+xgthGEJdd6QSIRB9"
	"nORNoRv3Kci2cDv0Kfaa6qSdnZcYeVqabhUZiGtD+zaATaizQt0BoO/O7CNosyNy"
	"Pdx5KJDrhf7GZO85R44Dzcn90iwIzeQBLmF1RJRvXbYzmx87vdlIQs945Wc3k5qw"
	"UQ3bJWmXCfRtlH+n24JkDrIMF4C6Us5Vn7fBTfNOdVnF+Kw0oV2kxYQoHXAdNIwu"
	"70lkM75bUtRrgSxsd9wgtm3TmpXKPu+rgiK5+ul/Ixop6cpphfohsUMAaxMh28Hk"
	"30ImILwrsECBpSvQ==\"";

static const char D2_SIG[] =
	"c4Tw3kFalUNCDyH/waE8McjH6fvl7+68A6smRZigXxiFeIrMYIE1+Rp6Kw027ycq"
	"33kXpkxslsmWApDpORn3+Hh+2fgh6ebT64AjjmfQGhP4G86ssQltcO+7xXnsUnZ7"
	"BxW/vWevMTRJWwv3j9ex0Y5uSOb24GcaAw2aMZKNNorb8NesGsdheh/Ow4ktJyVe"
	"qUj+ghDOr2LDAYwFb4OzwYMPOB+ejZgm0clZw07lwK59UyThGTnb6yIHNqO7zMhb"
	"y3y3ci7916vk0u4ddfPtCPTL5Iuw8MRVnKw9JzRCo0dWCGP2F9QG5LfjhfaQ8jmR"
	"qstr8PBfo+36kHPvY/lnpw==";

static const char D3_SIG[] =
	"O2/7v9fio9hOZCrT17LQh1BnrPbE9hNLi7XncoQTXARUEDDo1Qa1SHccKTGUisZg"
	"vcjmLlrLagMelExD9gq0pS+9sPhlwaauhJ9HyQanQW+7Jd7xK+USO2FzXUSy+Np7"
	"sY5mMaR8mwRuY5wPcX5hUiSPkKpKQ3yngdGSigsrMmFGek3nNuDUu1KxAZr3eN6r"
	"BdGn16qc9FU31cqzJaswlZeNXx6b2Lc5LdQDliZ9ZQmTRgvwSJLP6oNYsYvMdqMX"
	"QE9/uSSMHaTwvDy+wu0PFOk3SP5orAe7N4dT6CozgvZlM6TMi47tmtZ3ExwkZWZI"
	"oQFwWpR4fKOVHhIfG4bxPw==";

static const char D6_PLAIN[] =
	"{\"event_type\":\"EVENT_TYPE_BUSICOUPON_SEND\",\"coupon_code\":\""
	"1227944959000000911017\",\"stock_id\":\"1286950000000039\",\"sen"
	"d_time\":\"2019-12-17T10:35:53+08:00\",\"openid\":\"odXnH1CJjeQo"
	"WTld48db-pnxs-Wg\",\"unionid\":\"oOuyajgxj0oVwjocSoQm6mp7PGKw\","
	"\"send_channel\":\"BUSICOUPON_SEND_CHANNEL_MINIAPP\",\"send_merc"
	"hant\":\"98568888\"}";

static const char D6_CT[] =
	"LnnVDv5dGy0BGeA9LfgLCQynY0DI/AwCnwLT1dH175ytOKwDC5tfnkjZGetGh+AI"
	"CTrUgIoyfW8yTWuqSGAXA8TldEGJDmIWtJ33ZxXLuYa/F71JisW1ls4OiQWbqrT8"
	"nu/4uattbxhdsG0EQkuxF7yGbMtCAphvlTnswIkRgWE86JuU5IfNrGn/dBh/W7yM"
	"QBy6KjDfzVSpgs4V1LvzL6ILFcBu+mDeQzf8H9QVdku1/xia7ijlfSPtm7mFGCpR"
	"glj4/J1NNMH6DmgY8gafZyOIbljarpNhOf9/zr0yurcXdQSJOK9iqxS89c8qJsvi"
	"QUcwRUZSOfkpUDf+D/dCV8/BbYH65k6WDeUfuRD710KaU3Bk2qL81eTtOdoJxF2y"
	"A1Da/zQRFXvTQR0MX2M68GxLI0K7wKELb+TDUSnJR2ae0sk/fw==";

static const char D6_BODY[] =
	"{\"id\":\"8b33f79f-8869-5ae5-b41b-3c0b59f957d0\",\"create_time\""
	":\"2019-12-12T16:54:38+08:00\",\"resource_type\":\"encrypt-resou"
	"rce\",\"event_type\":\"COUPON.SEND\",\"summary\":\"\345\225\206\345"
	"\256\266\345\210\270\351\242\206\345\210\270\351\200\232\347\237"
	"\245\",\"resource\":{\"original_type\":\"coupon\",\"algorithm\":"
	"\"AEAD_AES_256_GCM\",\"ciphertext\":\"LnnVDv5dGy0BGeA9LfgLCQynY0"
	"DI/AwCnwLT1dH175ytOKwDC5tfnkjZGetGh+AICTrUgIoyfW8yTWuqSGAXA8TldE"
	"GJDmIWtJ33ZxXLuYa/F71JisW1ls4OiQWbqrT8nu/4uattbxhdsG0EQkuxF7yGbM"
	"tCAphvlTnswIkRgWE86JuU5IfNrGn/dBh/W7yMQBy6KjDfzVSpgs4V1LvzL6ILFc"
	"Bu+mDeQzf8H9QVdku1/xia7ijlfSPtm7mFGCpRglj4/J1NNMH6DmgY8gafZyOIbl"
	"jarpNhOf9/zr0yurcXdQSJOK9iqxS89c8qJsviQUcwRUZSOfkpUDf+D/dCV8/BbY"
	"H65k6WDeUfuRD710KaU3Bk2qL81eTtOdoJxF2yA1Da/zQRFXvTQR0MX2M68GxLI0"
	"K7wKELb+TDUSnJR2ae0sk/fw==\",\"associated_data\":\"coupon\",\"no"
	"nce\":\"j9g1wAzF9Xn1\"}}";

static const char D6_SIG[] =
	"c1WXcEbhj2SmpoTBnE8C8vpc1FGSFHJgh3zBq4iAFetA9k8WznrjnqLQKBQibd/+"
	"EQDtSgMA+PTiEdmmtQR+esgfdepf8oT5wQqjdriMS0nzvv7wPsMS+0lxx7aqDGLD"
	"uub8BsZMxmuLpJSVPsdA2WT7oydtddGwUNIfYI4K7LxaWK6k3itunweWF4db4AZx"
	"afvRYIblpFonqd78+1yXc6pQMv4pOQ3lnIYFNRs0reBKo2jFG2J+6UhPdVe7DSvR"
	"z7RPNq06zTCSGYiAltpAMIfGC9+G3Xhj3ytS51rSeiN2KmZ/bRRHXepCh63Dukh5"
	"sxGQi0onGsXi1ROjhkbDfQ==";

/* The GO key (1.3) converted to PKCS#1 with `openssl pkey -traditional`. */
static const char GO_KEY_PKCS1[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEpAIBAAKCAQEA2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pl"
	"\n"
	"dE806mXO4RwdHXagHQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiL"
	"\n"
	"Gtjcquw4HNxJQUOmDeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyC"
	"\n"
	"NeDGUUK65E5h2B834uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5zns"
	"\n"
	"evnoqGRwTm9fxCGfy8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd"
	"\n"
	"8N0obCWJPCbzMCtkaSef4FdEEgEXJiw0VAJT8wIDAQABAoIBAQDHO6w3lGl4lr+m"
	"\n"
	"zBm2dwU16YNRYXXXZ1lJ2BPB31/5JjhSO17QR13IGBaXI2M+A+e/O6XLJO3sz4nQ"
	"\n"
	"I+fM6np7nJZoyp1Jk96X2yOXggNr+AvR522A65lDytWXAA7ZGuA+knA3HKTWDWtY"
	"\n"
	"NkxR85CKxGuh/qu0tztn6sWPw0VbTdCSF2pQW/HWmqi+UFc0pjNgTFZx8vmCEyVi"
	"\n"
	"JD9mt6SrPQtFuuSRg7JxtMFax4pxxfnJ4RWSG2jxCP/wwBTHPTZK1jilUUxIHAlM"
	"\n"
	"QhWhzmVTcQ1mQ+wNmXyQdqyunoP/8oBIhQ0doepk2g6MDAeGBdp9nbCDuP3QhvLz"
	"\n"
	"xyNtI5+BAoGBAP2RrupRDJTtF2Z2pgGRrYjYC3AnzPwtmREWRO0E0T2R9VnSvdgJ"
	"\n"
	"fZ3ZXbLMBcOG2iaySwpoIYxf4huM4oYQby5zi5LJ2VH43bpsaBw1l6NkAVmyOULF"
	"\n"
	"iBOwLk4loFo9SO1+Hwl0kH+ovjP8tuk6IEO3dADaWRcjpEzTJ/7YibyxAoGBANtl"
	"\n"
	"6pWphv8nwBlnq8uSjR9gxpUyMnesSVrSfY941PfZWdGwkOcYYgW1PSJsQot84E7K"
	"\n"
	"Ki1oAP6dNB4TRTaFHE5faH3NBt88Ew9ctGc3J1SsRiXWeqIVudldISUrQIoLY2AL"
	"\n"
	"FII5u//xR+z4kAwQz9VmusUkZA0FP2km0MbxBPPjAoGBAN22/JK1u6KcjNFy/URx"
	"\n"
	"9KKrBZVTt9DoreZa6nm0tKB5d2bK9mRoKAZVgbBM5N1KlIUxcJvw4SS00if00D0Z"
	"\n"
	"MZ4UOf5nsDYUvQu8rmu8EJM1ZljflWHlBk7wxgxeqg89dv7yQIEsAw0cpvMeDXFw"
	"\n"
	"+bU8O5pjUXMCHy9tkpMrE4SBAoGAFQYHHKBKF1kvxz9v7un0K/WSEenlfCI+RT22"
	"\n"
	"WnExty5UtQs+V2a2veVIHmxRVBx7QhGNSRyWO8/Elr0x/K90ru3ljWiAKBQRn386"
	"\n"
	"qklWs35ummGbDr0WOgX6jx096fx9YU6ugGwX38a3JbYL15wkzkYxz4JVNAo0sVbO"
	"\n"
	"2sFtwBECgYAeVrWgvFS0TjO65H1SKvkV6hOb7SX2t3tze1t0asSqeMxxQD36/NhS"
	"\n"
	"uQl9m6aRGsWO0hGVb1SJyg3OYCnRv41jUQZr737WYWOfTyCxztl+bzuBV4e7LhI8"
	"\n"
	"ulSIdILJyt+ppkW6GCARrDbgx41y3gQ2vvJgy5FruZxxITsctiSWZQ==\n"
	"-----END RSA PRIVATE KEY-----\n";

/* The GO key encrypted with `openssl pkey -aes256` (must be refused). */
static const char GO_KEY_ENCRYPTED[] =
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	"MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI/N2OinYlKVQCAggA\n"
	"MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBCaOGfnUhtwrwKiiDeUaV2JBIIE\n"
	"0I1hTmReKtzznerEzS0aNRC87TU0V9RadOTEez68Mopb/mBRoaat0pTgWzPhRZNr\n"
	"6JXykFTZmeobOyEqgQ8oQVRU/aL8umD8pZRu3GJsynaieyEL1FpDzhmvy1r0YTW9\n"
	"HlL/mySB4HB6goJwOfIezEHzGLyK5BeaOc9VERaxjxFnmzwfS/xdQ2Z9Jx/vQBME\n"
	"uC2awHWTC40vt4LuIu2vOF28rDL59zMTHGe0OoLtnYaD2Tr7GqSgSCZh3tiEkuKJ\n"
	"6WjzG3tm4pEvH52B5fj+wwbF0CU/Ttg8Ge7zUjTI300fBsgRfl9H8c2+bEBkSkj0\n"
	"5StuQKtuZXcYlu91NjFivJgn53+MlAur31iXCKx51Bxr6cbwFMoRrOZLMaGus3kT\n"
	"UiPkFr97tfJVOtxTF2rEWS9y/vopEO0WmeD65pv6kKeVukn2nS28h41E0HwdpBB0\n"
	"VVXaRq+/Y1CIKS29r1VJm6HQfcxG4YK9Ji4ca2juYTSxk9ZOfcr2oQ79XvggijRV\n"
	"6Uec1sW52nd2QjsztejvdBWpy9JaMeDXAzXaonmWK6bTYGOU+qQZhoDs0KCVSGtg\n"
	"YWsZyv5WR8QmrdLBnCblMH8LrvJ3g2lmfumFQviUfrrK4AbJH2XLm75h1Q47i2E/\n"
	"7iLoA60K0q1UkHzsIMJl9MrxSqaGp3YL0ZPD7G0e8MlS/ZZVg9YBIDFsuw/eOual\n"
	"K8wjHpG+nHz9iUvMjrB1NwQQjbcG3wfDC4PBMMnXUtEbLWKgx+nnEro9JYYa8zZP\n"
	"2IUMg+lycfmYCpUsSBkdAWoEOhYp/6FapsvfdN+8irsl8KbzzB34LTwrKy7+J17y\n"
	"kLeKU3sYtubv+09ZqnKDFO+jkNjpnYRcUr7BYEh2wddd3YkIZhURbqppJPporTNy\n"
	"DaVKPNwLAcHIEfORTu6/8SrZtOqVqi7nkvSpeK41dBJ26M8xsLs+AhST/OSSx5J7\n"
	"dpyxQFmWYdHWYBDj4gcAZxnvYDMr7q/uSXtjjt1C13UwK1SXMr5V7Qd1dMWkgNOK\n"
	"6CCJY/pl7NHlatFd/YIIdpMFsM/XhEW64bTPcwkMoDHgXdj5FqAQLxbI5me55w0Y\n"
	"BRw+IV9epyxG/HCn1HxpSKQbz+vA1gDhKCieAx7sqZnUpY+g2r3i5QWm4//iSoqB\n"
	"vVBDrE2lVtUH9kWXBmv7LCGJ+5QeE2j2MNloT6+1r1f9O8AY3NYJsXYW04BU5DWa\n"
	"f2eFmenT7bOjnJ3MFla6SfOonUReWgD2vOx2/MJrSzScXNqDv3FhoLsXg0tAO+fa\n"
	"a9sglW0CX+QEsFFM/Tm/7qnn8XBiQmDuX7lXqZdVsn6Q269uhAPNmarhgQ+lcky7\n"
	"UFFno1ActzCTI4G93sbBMTVolZGK0TWcx0EV954B/Wk8FwERyLIDXut55KX6dNql\n"
	"qwO8xxeyYiMDNZR0WrSUNMQuGBT+eX8eDyklBdwWvIIbgywIRnrPPgfojnCNMsqj\n"
	"Ix0gh/srgiDVMmV0CRpOh8AgDH5udQPGoJ4JASnBXq7Bwo+3BFXj2iqido6nMUYv\n"
	"TS/CrOU2evN5/Bu4/AOHnh1XaAIBM2KgXkygK5eiFnG4asM+ZIfUEDbJU/wsuGE2\n"
	"s0QLz6JBqYHLXqN7kOIgXKjbopKfUMv34Hk3IfF0d14t\n"
	"-----END ENCRYPTED PRIVATE KEY-----\n";

static const char DOC_SERIAL[] = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
static const char DOC_NONCE[] = "593BEC0C930BF1AFEB40B4A08C8FB242";
static const char DOC_TS[] = "1554208460";
static const uint8_t JV_APIV3[32] = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

/* ---- helpers ---------------------------------------------------------- */

static struct wx_key *
key_of(const char *pem)
{
	struct wx_key *k = NULL;
	char *cause = NULL;
	int rc = wx_key_load_pem(pem, strlen(pem), &k, &cause);

	if (rc != 0)
		fprintf(stderr, "key: %s\n", cause ? cause : "?");
	assert_int_equal(rc, QUAN_OK);
	assert_non_null(k);
	free(cause);
	return k;
}

static struct wx_cert *
cert_of(const char *pem)
{
	struct wx_cert *c = NULL;
	char *cause = NULL;
	int rc = wx_cert_load_pem(pem, strlen(pem), &c, &cause);

	assert_int_equal(rc, QUAN_OK);
	free(cause);
	return c;
}

static struct wx_pub *
pub_of_cert(const char *pem)
{
	struct wx_cert *c = cert_of(pem);
	struct wx_pub *p = NULL;

	assert_int_equal(wx_pub_from_cert(c, &p), QUAN_OK);
	wx_cert_free(c);
	return p;
}

static struct wx_pub *
pub_of(const char *pem)
{
	struct wx_pub *p = NULL;

	assert_int_equal(wx_pub_load_pem(pem, strlen(pem), &p, NULL), QUAN_OK);
	return p;
}

static void
assert_sig(struct wx_key *k, const char *msg, size_t n, const char *want)
{
	char *sig = NULL;

	assert_int_equal(wx_sign(k, msg, n, &sig), QUAN_OK);
	assert_string_equal(sig, want);
	free(sig);
}

static void
sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[CRYPTO_SHA256_LEN];

	crypto_sha256(p, n, d);
	crypto_hex(d, sizeof d, out);
}

/* ---- 1.1 DOC ---------------------------------------------------------- */

static void
test_doc_request_signature(void **state)
{
	struct wx_key *k = key_of(DOC_KEY);
	struct wx_pub *p = NULL;
	char hex[65], *msg, *auth = NULL;
	size_t n;

	(void)state;
	assert_int_equal(strlen(DOC_BODY), 295);
	msg = wx_req_message("POST", "/v3/pay/transactions/jsapi", DOC_TS,
	    DOC_NONCE, DOC_BODY, strlen(DOC_BODY), &n);
	assert_int_equal(n, 372);
	sha256_hex(msg, n, hex);
	assert_string_equal(hex, "87a9f84cd9b4bdb78ec4dbe4595c8c8bf04d3e79"
	    "a6765b2100741d1a473d37af");
	assert_sig(k, msg, n, DOC_SIG);
	assert_int_equal(wx_pub_from_key(k, &p), QUAN_OK);
	assert_int_equal(wx_verify(p, msg, n, DOC_SIG), QUAN_OK);
	free(msg);

	/* The Authorization built in one call carries the same signature. */
	assert_int_equal(wx_auth_header(k, "1900007291", DOC_SERIAL, "POST",
	    "/v3/pay/transactions/jsapi", DOC_BODY, strlen(DOC_BODY), DOC_TS,
	    DOC_NONCE, &auth), QUAN_OK);
	assert_non_null(strstr(auth, DOC_SIG));
	free(auth);

	/* Empty-body GET /v3/certificates. */
	msg = wx_req_message("GET", "/v3/certificates", DOC_TS, DOC_NONCE,
	    "", 0, &n);
	assert_string_equal(msg, "GET\n/v3/certificates\n1554208460\n"
	    "593BEC0C930BF1AFEB40B4A08C8FB242\n\n");
	assert_sig(k, msg, n, DOC_GET_SIG);
	free(msg);
	wx_pub_free(p);
	wx_key_free(k);
}

/* ---- 1.2 SK ----------------------------------------------------------- */

static void
test_sk_pay_sign(void **state)
{
	struct wx_key *k = key_of(DOC_KEY);
	static const char m1[] = "wx2421b1c4370ec43b\n1554208460\n"
	    "593BEC0C930BF1AFEB40B4A08C8FB242\n"
	    "prepay_id=wx201410272009395522657a690389285100\n";
	static const char m2[] = "wx2421b1c4370ec43b\n1554208460\n"
	    "593BEC0C930BF1AFEB40B4A08C8FB242\n"
	    "wx201410272009395522657a690389285100\n";

	(void)state;
	assert_sig(k, m1, strlen(m1), SK_JSAPI_SIG);
	assert_sig(k, m2, strlen(m2), SK_APP_SIG);
	wx_key_free(k);
}

/* ---- 1.3 GO ----------------------------------------------------------- */

static void
test_go_raw_signature(void **state)
{
	struct wx_key *k = key_of(GO_KEY);
	struct wx_key *k1 = key_of(GO_KEY_PKCS1);
	struct wx_cert *c = cert_of(GO_CERT);
	struct wx_pub *pc = NULL, *pk = pub_of(GO_PUB);

	(void)state;
	assert_sig(k, "source", 6, GO_SIG);
	assert_sig(k1, "source", 6, GO_SIG); /* PKCS#1 form, same key */
	assert_string_equal(wx_cert_serial(c), "F5765756002FDD77");
	assert_int_equal(wx_cert_not_before(c), 1619512832); /* 2021-04-27 */
	assert_int_equal(wx_cert_not_after(c), 1934872832);  /* 2031-04-25 */
	assert_int_equal(wx_pub_from_cert(c, &pc), QUAN_OK);
	assert_int_equal(wx_verify(pc, "source", 6, GO_SIG), QUAN_OK);
	assert_int_equal(wx_verify(pk, "source", 6, GO_SIG), QUAN_OK);
	assert_int_equal(wx_verify(pc, "wrong source", 12, GO_SIG),
	    QUAN_EPROTO);
	assert_int_equal(wx_verify(pk, "", 0, GO_SIG), QUAN_EPROTO);
	assert_int_equal(wx_verify(pk, "source", 6, ""), QUAN_EPROTO);
	assert_int_equal(wx_verify(pk, "source", 6, NULL), QUAN_EPROTO);
	wx_pub_free(pc);
	wx_pub_free(pk);
	wx_cert_free(c);
	wx_key_free(k1);
	wx_key_free(k);
}

/* ---- 1.4 JV ----------------------------------------------------------- */

static void
test_jv_raw_signature(void **state)
{
	struct wx_key *k = key_of(JV_KEY);
	struct wx_cert *c = cert_of(JV_CERT);
	struct wx_pub *p = NULL, *other = pub_of(GO_PUB);
	char *cause = NULL;

	(void)state;
	assert_sig(k, "message", 7, JV_SIG);
	assert_string_equal(wx_cert_serial(c),
	    "5F1C72E2A8931B72A2E13AF8DEE92471EB397115");
	assert_int_equal(wx_pub_from_cert(c, &p), QUAN_OK);
	assert_int_equal(wx_verify(p, "message", 7, JV_SIG), QUAN_OK);
	/* Signed by another key: must not verify (JV's negative test uses
	 * its own platform key; the GO key serves the same purpose). */
	assert_int_equal(wx_verify(other, "message", 7, JV_SIG), QUAN_EPROTO);
	/* Expired 2025-05-09: a validity check must reject it. */
	assert_int_equal(wx_cert_check_time(c, 1764460800, &cause),
	    QUAN_EPROTO);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(wx_cert_check_time(c, 1700000000, &cause), QUAN_OK);
	wx_pub_free(p);
	wx_pub_free(other);
	wx_cert_free(c);
	wx_key_free(k);
}

/* ---- 1.5 GO/JV Authorization layout ----------------------------------- */

static void
test_auth_layout(void **state)
{
	char *msg, *sig, *hdr;
	size_t n;

	(void)state;
	msg = wx_req_message("GET", "/v3/certificates", "1624523846",
	    "A1B2C3D4E5F6G7", "", 0, &n);
	sig = malloc(n + 6);
	assert_non_null(sig);
	snprintf(sig, n + 6, "Sign:%s", msg);
	hdr = wx_auth_format("WECHATPAY2-Mock", "1234567890", "A1B2C3D4E5F6G7",
	    "1624523846", "0123456789ABC", sig);
	assert_string_equal(hdr, "WECHATPAY2-Mock mchid=\"1234567890\","
	    "nonce_str=\"A1B2C3D4E5F6G7\",timestamp=\"1624523846\","
	    "serial_no=\"0123456789ABC\",signature=\"Sign:GET\n"
	    "/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n\"");
	free(hdr);
	free(sig);
	free(msg);

	msg = wx_req_message("POST", "/v3/certificates", "1624523846",
	    "A1B2C3D4E5F6G7", "Hello World!\n", 13, &n);
	assert_string_equal(msg, "POST\n/v3/certificates\n1624523846\n"
	    "A1B2C3D4E5F6G7\nHello World!\n\n");
	assert_int_equal(n, strlen(msg));
	free(msg);

	/* JV: canonical URL = raw path + '?' + raw query. */
	msg = wx_req_message("GET", "/v3/pay/transactions/id/"
	    "1217752501201407033233368018?mchid=1230000109", "1652750623",
	    "eBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u", NULL, 0, &n);
	assert_string_equal(msg, "GET\n/v3/pay/transactions/id/"
	    "1217752501201407033233368018?mchid=1230000109\n1652750623\n"
	    "eBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u\n\n");
	free(msg);
}

/* ---- 2.1 GO notification ---------------------------------------------- */

static void
test_go_notification(void **state)
{
	struct wx_pub *p = pub_of_cert(GO_NOTIFY_CERT);
	struct wx_cert *c = cert_of(GO_NOTIFY_CERT);
	struct wx_trust *t = wx_trust_new();
	char hex[65], *msg, *cause = NULL;
	uint8_t *ct = NULL, *pt = NULL;
	size_t n, ctn, ptn;
	static const char ts[] = "1624523846";
	static const char nonce[] = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz";
	/* resource.ciphertext of GO_NOTIFY_BODY */
	const char *cs = strstr(GO_NOTIFY_BODY, "\"ciphertext\":\"");
	const char *ce;

	(void)state;
	assert_string_equal(wx_cert_serial(c), "D7CE59D1F522D701");
	assert_int_equal(strlen(GO_NOTIFY_BODY), 568);
	msg = wx_resp_message(ts, nonce, GO_NOTIFY_BODY,
	    strlen(GO_NOTIFY_BODY), &n);
	assert_int_equal(n, 613);
	sha256_hex(msg, n, hex);
	assert_string_equal(hex, "d2c90663606e98fc711012c768a5150ff0f953e4"
	    "bccecc69395f4fe977dc4257");
	assert_int_equal(wx_verify(p, msg, n, GO_NOTIFY_SIG), QUAN_OK);
	free(msg);
	assert_int_equal(wx_verify_response(p, ts, nonce, GO_NOTIFY_SIG,
	    GO_NOTIFY_BODY, strlen(GO_NOTIFY_BODY), 1624523846, &cause),
	    QUAN_OK);
	/* Through the trust store by serial. */
	assert_int_equal(wx_trust_add_cert(t, c), QUAN_OK);
	assert_int_equal(wx_trust_verify(t, "D7CE59D1F522D701", ts, nonce,
	    GO_NOTIFY_SIG, GO_NOTIFY_BODY, strlen(GO_NOTIFY_BODY), 1624523846,
	    &cause), QUAN_OK);
	/* Same notification, clock now: stale. */
	assert_int_equal(wx_trust_verify(t, "D7CE59D1F522D701", ts, nonce,
	    GO_NOTIFY_SIG, GO_NOTIFY_BODY, strlen(GO_NOTIFY_BODY), tm_now(),
	    &cause), QUAN_ECLOCK);

	/* Decryption: 16-byte key -> AES-128-GCM through the general
	 * wx_gcm_decrypt (production wx_aead_decrypt takes 32 bytes only). */
	assert_non_null(cs);
	cs += strlen("\"ciphertext\":\"");
	ce = strchr(cs, '"');
	assert_non_null(ce);
	assert_int_equal(wx_b64_decode(cs, (size_t)(ce - cs), &ct, &ctn), 0);
	assert_int_equal(wx_gcm_decrypt((const uint8_t *)"testMchAPIv3Key0",
	    16, "Kj7QIyUiYx1q", 12, "payscore", 8, ct, ctn, &pt, &ptn),
	    QUAN_OK);
	assert_int_equal(ptn, strlen(GO_NOTIFY_PLAIN));
	assert_memory_equal(pt, GO_NOTIFY_PLAIN, ptn);
	free(pt);
	free(ct);
	free(cause);
	wx_trust_free(t);
	wx_cert_free(c);
	wx_pub_free(p);
}

/* ---- 2.2 GO validator layout ------------------------------------------ */

static void
test_go_validator_layout(void **state)
{
	struct wx_key *k = key_of(GO_KEY);
	struct wx_pub *p = pub_of(GO_PUB);
	char ts[24], *msg, *sig = NULL, *cause = NULL;
	size_t n;
	int64_t now = tm_now();

	(void)state;
	snprintf(ts, sizeof ts, "%lld", (long long)now);
	msg = wx_resp_message(ts, "NONCE1234567890", "BODY", 4, &n);
	assert_int_equal(n, strlen(ts) + strlen("\nNONCE1234567890\nBODY\n"));
	assert_int_equal(wx_sign(k, msg, n, &sig), QUAN_OK);
	free(msg);
	msg = wx_resp_message(ts, "NONCE1234567890", "", 0, &n);
	assert_memory_equal(msg + strlen(ts), "\nNONCE1234567890\n\n", 18);
	free(msg);
	assert_int_equal(wx_verify_response(p, ts, "NONCE1234567890", sig,
	    "BODY", 4, now, &cause), QUAN_OK);
	/* Missing headers and a non-numeric timestamp fail. */
	assert_int_equal(wx_verify_response(p, NULL, "NONCE1234567890", sig,
	    "BODY", 4, now, &cause), QUAN_EPROTO);
	assert_non_null(strstr(cause, "Timestamp"));
	assert_int_equal(wx_verify_response(p, ts, "", sig, "BODY", 4, now,
	    &cause), QUAN_EPROTO);
	assert_non_null(strstr(cause, "Nonce"));
	assert_int_equal(wx_verify_response(p, ts, "NONCE1234567890", NULL,
	    "BODY", 4, now, &cause), QUAN_EPROTO);
	assert_non_null(strstr(cause, "Signature"));
	assert_int_equal(wx_verify_response(p, "12a4", "NONCE1234567890", sig,
	    "BODY", 4, now, &cause), QUAN_EPROTO);
	free(cause);
	free(sig);
	wx_pub_free(p);
	wx_key_free(k);
}

/* ---- 3.1 JV AES-256-GCM ----------------------------------------------- */

static void
test_jv_aes256gcm(void **state)
{
	char *ct = NULL, *pt = NULL, *cause = NULL;
	size_t n = 0;
	uint8_t zeros[128];
	char *zb64;

	(void)state;
	assert_int_equal(wx_aead_encrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", "message", 7, &ct), QUAN_OK);
	assert_string_equal(ct, "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=");
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", ct, &pt, &n, &cause), QUAN_OK);
	assert_int_equal(n, 7);
	assert_string_equal(pt, "message");
	free(pt);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "bad-associatedData", ct, &pt, &n, &cause), QUAN_EPROTO);
	assert_null(pt);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "bad-4a9R25RW",
	    "associatedData", ct, &pt, &n, &cause), QUAN_EPROTO);
	memset(zeros, 0, sizeof zeros);
	zb64 = wx_b64_encode(zeros, sizeof zeros);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", zb64, &pt, &n, &cause), QUAN_EPROTO);
	free(zb64);
	/* Bad tag: change a tag byte ('w' -> 'x'). */
	ct[strlen(ct) - 3] = 'x';
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", ct, &pt, &n, &cause), QUAN_EPROTO);
	/* Non-canonical base64 (padding bits set), truncated base64, and
	 * shorter than a tag. */
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwJ=", &pt, &n,
	    &cause), QUAN_EINVAL);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzw", &pt, &n,
	    &cause), QUAN_EINVAL);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "uluk4a9R25RW",
	    "associatedData", "AAAA", &pt, &n, &cause), QUAN_EPROTO);
	/* Wrong nonce length refused. */
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "short",
	    "associatedData", "AAAA", &pt, &n, &cause), QUAN_EINVAL);
	free(cause);
	free(ct);
}

/* ---- 3.2 JV encrypted platform certificate ---------------------------- */

static void
test_jv_certificate_payload(void **state)
{
	struct wx_cert *c = NULL;
	char *pem = NULL, *cause = NULL, hex[65];
	size_t n = 0;
	uint8_t badkey[32];

	(void)state;
	assert_int_equal(strlen(JV_CERT_CT), 1988);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "14b16c03dc1b",
	    "certificate", JV_CERT_CT, &pem, &n, &cause), QUAN_OK);
	assert_int_equal(n, 1475);
	sha256_hex(pem, n, hex);
	assert_string_equal(hex, "8693813ac0735cb54b6e67f25086a5924c103712"
	    "255b8857049b8e502d564eb4");
	assert_memory_equal(pem, "-----BEGIN CERTIFICATE-----\n"
	    "MIIEFDCCAvygAwIBAgIUXeoQ71WHfjz2wzJV", 64);
	free(pem);
	assert_int_equal(wx_cert_decrypt(JV_APIV3, "AEAD_AES_256_GCM",
	    "14b16c03dc1b", "certificate", JV_CERT_CT,
	    "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC", &c, &cause), QUAN_OK);
	assert_string_equal(wx_cert_serial(c),
	    "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC");
	assert_int_equal(wx_cert_not_before(c), 1695136558);
	assert_int_equal(wx_cert_not_after(c), 1852816558);
	assert_non_null(strstr(wx_cert_subject(c), "CN=Tenpay.com sign"));
	assert_non_null(strstr(wx_cert_subject(c), "O=Tenpay.com"));
	wx_cert_free(c);
	/* serial_no mismatch, wrong algorithm, wrong key. */
	assert_int_equal(wx_cert_decrypt(JV_APIV3, "AEAD_AES_256_GCM",
	    "14b16c03dc1b", "certificate", JV_CERT_CT, "0123", &c, &cause),
	    QUAN_EPROTO);
	assert_null(c);
	assert_int_equal(wx_cert_decrypt(JV_APIV3, "AES_128_CBC",
	    "14b16c03dc1b", "certificate", JV_CERT_CT, NULL, &c, &cause),
	    QUAN_EPROTO);
	memcpy(badkey, JV_APIV3, 32);
	badkey[0] ^= 1;
	assert_int_equal(wx_cert_decrypt(badkey, "AEAD_AES_256_GCM",
	    "14b16c03dc1b", "certificate", JV_CERT_CT, NULL, &c, &cause),
	    QUAN_EPROTO);
	free(cause);
}

/* ---- 3.3 GO AES-128-GCM, 3.4 AX 16-byte IV ---------------------------- */

static void
test_go_aes128gcm(void **state)
{
	static const char ctb[] = "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC";
	static const char aad[] = "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8";
	uint8_t *ct = NULL, *pt = NULL;
	size_t ctn, ptn;

	(void)state;
	assert_int_equal(wx_b64_decode(ctb, strlen(ctb), &ct, &ctn), 0);
	assert_int_equal(wx_gcm_decrypt((const uint8_t *)"testAPIv3Key0000",
	    16, "wCq51qZv4Yfg", 12, aad, strlen(aad), ct, ctn, &pt, &ptn),
	    QUAN_OK);
	assert_int_equal(ptn, 11);
	assert_memory_equal(pt, "Hello World", 11);
	free(pt);
	assert_int_equal(wx_gcm_decrypt((const uint8_t *)"testAPIv3Key1111",
	    16, "wCq51qZv4Yfg", 12, aad, strlen(aad), ct, ctn, &pt, &ptn),
	    QUAN_EPROTO);
	free(ct);
	assert_int_equal(wx_b64_decode("SGVsbG8gV29ybGQK", 16, &ct, &ctn), 0);
	assert_int_equal(wx_gcm_decrypt((const uint8_t *)"testAPIv3Key0000",
	    16, "wCq51qZv4Yfg", 12, aad, strlen(aad), ct, ctn, &pt, &ptn),
	    QUAN_EPROTO);
	free(ct);
	assert_int_equal(wx_b64_decode("not base64!", 11, &ct, &ctn),
	    QUAN_EINVAL);
}

static void
test_ax_iv16(void **state)
{
	static const uint8_t key[] = "0123456789abcdef0123456789abcdef";
	uint8_t *out = NULL;
	size_t n;
	char *b;

	(void)state;
	assert_int_equal(wx_gcm_encrypt(key, 32, "0123456789abcdef", 16, "", 0,
	    "", 0, &out, &n), QUAN_OK);
	b = wx_b64_encode(out, n);
	assert_string_equal(b, "GvpmmdtYwexXIPhySs9Tlg==");
	free(b);
	free(out);
	assert_int_equal(wx_gcm_encrypt(key, 32, "0123456789abcdef", 16,
	    "world", 5, "hello", 5, &out, &n), QUAN_OK);
	b = wx_b64_encode(out, n);
	assert_string_equal(b, "APoZlYpivU3HjbAiB4CvW1rAFr8J");
	free(b);
	free(out);
}

/* ---- 4 DER busifavor vectors ------------------------------------------ */

static void
test_d1_use_authorization(void **state)
{
	struct wx_key *k = key_of(DOC_KEY);
	struct wx_pub *p = NULL;
	struct wx_auth a;
	char *auth = NULL, *cause = NULL, *m = NULL;
	int64_t now = 1554208460 + 10;

	(void)state;
	assert_int_equal(strlen(D1_BODY), 163);
	assert_int_equal(wx_auth_header(k, "1900007291", DOC_SERIAL, "POST",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY, strlen(D1_BODY),
	    DOC_TS, DOC_NONCE, &auth), QUAN_OK);
	assert_string_equal(auth, D1_AUTH);
	/* Server side: parse and verify. */
	assert_int_equal(wx_pub_from_key(k, &p), QUAN_OK);
	assert_int_equal(wx_auth_verify(auth, p, "POST",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY, strlen(D1_BODY),
	    now, &a, &m, &cause), QUAN_OK);
	assert_string_equal(a.mchid, "1900007291");
	assert_string_equal(a.serial, DOC_SERIAL);
	assert_string_equal(a.timestamp, DOC_TS);
	/* Tampered body: 401-style failure with the reconstructed message. */
	assert_int_equal(wx_auth_verify(auth, p, "POST",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY,
	    strlen(D1_BODY) - 1, now, &a, &m, &cause), QUAN_EPROTO);
	assert_non_null(m);
	assert_memory_equal(m, "POST\n/v3/marketing/busifavor/coupons/use\n"
	    "1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{", 86);
	free(m);
	m = NULL;
	/* Other URL, other method. */
	assert_int_equal(wx_auth_verify(auth, p, "POST",
	    "/v3/marketing/busifavor/coupons/return", D1_BODY,
	    strlen(D1_BODY), now, &a, NULL, &cause), QUAN_EPROTO);
	assert_int_equal(wx_auth_verify(auth, p, "PUT",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY, strlen(D1_BODY),
	    now, &a, NULL, &cause), QUAN_EPROTO);
	/* Stale: exactly 300 s off is rejected, 299 s accepted. */
	assert_int_equal(wx_auth_verify(auth, p, "POST",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY, strlen(D1_BODY),
	    1554208460 + 300, &a, NULL, &cause), QUAN_ECLOCK);
	assert_int_equal(wx_auth_verify(auth, p, "POST",
	    "/v3/marketing/busifavor/coupons/use", D1_BODY, strlen(D1_BODY),
	    1554208460 - 299, &a, NULL, &cause), QUAN_OK);
	free(cause);
	free(auth);
	wx_pub_free(p);
	wx_key_free(k);
}

static void
test_d2_d3_get_signatures(void **state)
{
	struct wx_key *k = key_of(DOC_KEY);
	char *msg;
	size_t n;

	(void)state;
	msg = wx_req_message("GET", "/v3/marketing/busifavor/users/"
	    "2323dfsdf342342/coupons/123446565767/appids/wx233544546545989",
	    DOC_TS, DOC_NONCE, NULL, 0, &n);
	assert_sig(k, msg, n, D2_SIG);
	free(msg);
	msg = wx_req_message("GET", "/v3/marketing/busifavor/users/"
	    "2323dfsdf342342/coupons?appid=wx233544546545989&coupon_state="
	    "SENDED&limit=10&offset=0&stock_id=100088", DOC_TS, DOC_NONCE,
	    NULL, 0, &n);
	assert_sig(k, msg, n, D3_SIG);
	free(msg);
	wx_key_free(k);
}

static void
test_d4_d5_responses(void **state)
{
	struct wx_pub *p = pub_of(GO_PUB);
	struct wx_trust *t = wx_trust_new();
	char *cause = NULL, *msg, *tampered;
	static const char ts[] = "1700000001";
	static const char nonce[] = "c5ac7061fccab6bf3e254dcf98995b8c";
	static const char pkid[] = "PUB_KEY_ID_0114232134912410000000000000";
	size_t n;

	(void)state;
	assert_int_equal(wx_trust_add_pub(t, pkid, p), QUAN_OK);
	assert_int_equal(wx_trust_add_pub(t, "F5765756002FDD77", p), QUAN_OK);
	assert_int_equal(wx_trust_count(t), 2);
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, D4_SIG, D4_BODY,
	    strlen(D4_BODY), 1700000001, &cause), QUAN_OK);
	assert_int_equal(wx_trust_verify(t, "F5765756002FDD77", ts, nonce,
	    D4_SIG, D4_BODY, strlen(D4_BODY), 1700000001 + 299, &cause),
	    QUAN_OK);
	/* The real clock: stale, rejected. Exactly 300 s: rejected. */
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, D4_SIG, D4_BODY,
	    strlen(D4_BODY), tm_now(), &cause), QUAN_ECLOCK);
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, D4_SIG, D4_BODY,
	    strlen(D4_BODY), 1700000001 + 300, &cause), QUAN_ECLOCK);
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, D4_SIG, D4_BODY,
	    strlen(D4_BODY), 1700000001 - 300, &cause), QUAN_ECLOCK);
	/* Unknown serial. */
	assert_int_equal(wx_trust_verify(t, "ABCDEF", ts, nonce, D4_SIG,
	    D4_BODY, strlen(D4_BODY), 1700000001, &cause), QUAN_ENOTFOUND);
	assert_int_equal(wx_trust_verify(t, NULL, ts, nonce, D4_SIG,
	    D4_BODY, strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	/* Tampered body, timestamp, nonce, signature. */
	tampered = strdup(D4_BODY);
	tampered[5] = 'X';
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, D4_SIG, tampered,
	    strlen(tampered), 1700000001, &cause), QUAN_EPROTO);
	free(tampered);
	assert_int_equal(wx_trust_verify(t, pkid, "1700000002", nonce, D4_SIG,
	    D4_BODY, strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	assert_int_equal(wx_trust_verify(t, pkid, ts, "c5ac7061fccab6bf3e254d"
	    "cf98995b8d", D4_SIG, D4_BODY, strlen(D4_BODY), 1700000001,
	    &cause), QUAN_EPROTO);
	tampered = strdup(D4_SIG);
	tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, tampered, D4_BODY,
	    strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	free(tampered);
	/* Truncated base64 signature. */
	tampered = strndup(D4_SIG, strlen(D4_SIG) - 4);
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, tampered, D4_BODY,
	    strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	free(tampered);
	tampered = strndup(D4_SIG, strlen(D4_SIG) - 1);
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, tampered, D4_BODY,
	    strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	free(tampered);
	/* SIGNTEST probe: the prefix on a real signature still fails. */
	n = strlen(WX_SIGNTEST_PREFIX) + strlen(D4_SIG) + 1;
	tampered = malloc(n);
	snprintf(tampered, n, "%s%s", WX_SIGNTEST_PREFIX, D4_SIG);
	assert_true(wx_is_signtest(tampered));
	assert_false(wx_is_signtest(D4_SIG));
	assert_int_equal(wx_trust_verify(t, pkid, ts, nonce, tampered, D4_BODY,
	    strlen(D4_BODY), 1700000001, &cause), QUAN_EPROTO);
	assert_non_null(strstr(cause, "SIGNTEST"));
	free(tampered);

	/* D5: empty body (204). */
	msg = wx_resp_message("1700000002", "0123456789abcdef0123456789abcdef",
	    "", 0, &n);
	assert_int_equal(wx_verify(p, msg, n, D5_SIG), QUAN_OK);
	free(msg);
	assert_int_equal(wx_verify_response(p, "1700000002",
	    "0123456789abcdef0123456789abcdef", D5_SIG, NULL, 0, 1700000002,
	    &cause), QUAN_OK);
	assert_int_equal(wx_verify_response(p, "1700000002",
	    "0123456789abcdef0123456789abcdef", D5_SIG, " ", 1, 1700000002,
	    &cause), QUAN_EPROTO);
	free(cause);
	wx_trust_free(t);
	wx_pub_free(p);
}

static void
test_d6_coupon_send(void **state)
{
	struct wx_pub *p = pub_of(GO_PUB);
	struct wx_key *wrong = key_of(DOC_KEY);
	struct wx_pub *wp = NULL;
	char *msg, *pt = NULL, *ct = NULL, *cause = NULL, hex[65];
	size_t n, ptn;
	uint8_t *raw = NULL;
	size_t rawn;
	static const char ts[] = "1700000000";
	static const char nonce[] = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

	(void)state;
	assert_int_equal(strlen(D6_BODY), 754);
	msg = wx_resp_message(ts, nonce, D6_BODY, strlen(D6_BODY), &n);
	sha256_hex(msg, n, hex);
	assert_string_equal(hex, "75183602bb57d6593222400550909ffd228fc09d"
	    "5a0251cc951a830e76d64c38");
	free(msg);
	assert_int_equal(wx_verify_response(p, ts, nonce, D6_SIG, D6_BODY,
	    strlen(D6_BODY), 1700000000, &cause), QUAN_OK);
	/* Wrong key. */
	assert_int_equal(wx_pub_from_key(wrong, &wp), QUAN_OK);
	assert_int_equal(wx_verify_response(wp, ts, nonce, D6_SIG, D6_BODY,
	    strlen(D6_BODY), 1700000000, &cause), QUAN_EPROTO);
	/* Decrypt the resource. */
	assert_int_equal(wx_b64_decode(D6_CT, strlen(D6_CT), &raw, &rawn), 0);
	assert_int_equal(rawn, 325);
	crypto_hex(raw + rawn - 16, 16, hex);
	assert_string_equal(hex, "c0a10b6fe4c35129c947669ed2c93f7f");
	free(raw);
	assert_int_equal(wx_aead_decrypt(JV_APIV3, "j9g1wAzF9Xn1", "coupon",
	    D6_CT, &pt, &ptn, &cause), QUAN_OK);
	assert_int_equal(ptn, 309);
	assert_string_equal(pt, D6_PLAIN);
	free(pt);
	/* Encryption reproduces the ciphertext byte for byte. */
	assert_int_equal(wx_aead_encrypt(JV_APIV3, "j9g1wAzF9Xn1", "coupon",
	    D6_PLAIN, strlen(D6_PLAIN), &ct), QUAN_OK);
	assert_string_equal(ct, D6_CT);
	free(ct);
	free(cause);
	wx_pub_free(wp);
	wx_key_free(wrong);
	wx_pub_free(p);
}

/* ---- parsing, base64, nonce ------------------------------------------- */

static void
test_auth_parse(void **state)
{
	struct wx_auth a;
	char *cause = NULL;

	(void)state;
	assert_int_equal(wx_auth_parse(D1_AUTH, &a, &cause), QUAN_OK);
	assert_string_equal(a.schema, WX_AUTH_SCHEMA);
	assert_string_equal(a.nonce, DOC_NONCE);
	/* Any order, spaces after commas. */
	assert_int_equal(wx_auth_parse("WECHATPAY2-SHA256-RSA2048 "
	    "signature=\"c2ln\", serial_no=\"AB\", timestamp=\"1\", "
	    "nonce_str=\"n\", mchid=\"m\"", &a, &cause), QUAN_OK);
	assert_string_equal(a.signature, "c2ln");
	assert_string_equal(a.mchid, "m");
	/* Malformed. */
	assert_int_equal(wx_auth_parse("WECHATPAY2-SHA256-RSA2048 mchid=\"m\"",
	    &a, &cause), QUAN_EINVAL);
	assert_non_null(strstr(cause, "missing"));
	assert_int_equal(wx_auth_parse("WECHATPAY2-SHA256-RSA2048 mchid=\"m\","
	    "mchid=\"m\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"s\","
	    "signature=\"x\"", &a, &cause), QUAN_EINVAL);
	assert_int_equal(wx_auth_parse("WECHATPAY2-SHA256-RSA2048 mchid=\"m",
	    &a, &cause), QUAN_EINVAL);
	assert_int_equal(wx_auth_parse("", &a, &cause), QUAN_EINVAL);
	assert_int_equal(wx_auth_parse(NULL, &a, &cause), QUAN_EINVAL);
	assert_int_equal(wx_auth_parse("Bearer", &a, &cause), QUAN_EINVAL);
	assert_int_equal(wx_auth_parse("X mchid=\"m\",bogus=\"1\"", &a, &cause),
	    QUAN_EINVAL);
	free(cause);
}

static void
test_base64_nonce(void **state)
{
	static const char *bad[] = { "A", "AB=", "A===", "AB=C", "ab c",
	    "AB\n=", "QQ=A", "QR==", "QUJ=", "====" };
	uint8_t *d = NULL;
	size_t n, i;
	char *e, a[WX_NONCE_LEN + 1], b[WX_NONCE_LEN + 1];

	(void)state;
	e = wx_b64_encode("", 0);
	assert_string_equal(e, "");
	free(e);
	e = wx_b64_encode("ab", 2);
	assert_string_equal(e, "YWI=");
	free(e);
	assert_int_equal(wx_b64_decode("YWJj", 4, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "abc", 3);
	free(d);
	assert_int_equal(wx_b64_decode("QQ==", 4, &d, &n), 0);
	assert_int_equal(n, 1);
	free(d);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(wx_b64_decode(bad[i], strlen(bad[i]), &d, &n),
		    QUAN_EINVAL);
		assert_null(d);
	}
	assert_int_equal(wx_nonce(a), 0);
	assert_int_equal(wx_nonce(b), 0);
	assert_int_equal(strlen(a), WX_NONCE_LEN);
	assert_string_not_equal(a, b);
	for (i = 0; i < WX_NONCE_LEN; i++)
		assert_non_null(strchr("0123456789ABCDEF", a[i]));
	assert_int_equal(wx_check_timestamp("-5", 0, NULL), QUAN_EPROTO);
	assert_int_equal(wx_check_timestamp("", 0, NULL), QUAN_EPROTO);
	assert_int_equal(wx_check_timestamp("99999999999999999999", 0, NULL),
	    QUAN_EPROTO);
	assert_int_equal(wx_check_timestamp("1000", 1299, NULL), QUAN_OK);
	assert_int_equal(wx_check_timestamp("1000", 1300, NULL), QUAN_ECLOCK);
	assert_int_equal(wx_check_timestamp("1300", 1000, NULL), QUAN_ECLOCK);
}

/* ---- files and generation --------------------------------------------- */

static char tmpdir[256];

static char *
tpath(const char *name)
{
	static char p[512];

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static void
test_key_files(void **state)
{
	struct wx_key *k = NULL;
	uint8_t key[32];
	char *cause = NULL, *s = NULL;
	FILE *f;

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_wxsign.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	f = fopen(tpath("k.pem"), "w");
	assert_non_null(f);
	fputs(DOC_KEY, f);
	fclose(f);
	chmod(tpath("k.pem"), 0644);
	assert_int_equal(wx_key_load_file(tpath("k.pem"), &k, &cause),
	    QUAN_EPERM);
	assert_null(k);
	assert_non_null(strstr(cause, "chmod 600"));
	chmod(tpath("k.pem"), 0640);
	assert_int_equal(wx_key_load_file(tpath("k.pem"), &k, &cause),
	    QUAN_EPERM);
	chmod(tpath("k.pem"), 0600);
	assert_int_equal(wx_key_load_file(tpath("k.pem"), &k, &cause),
	    QUAN_OK);
	{
		char *sig = NULL;
		assert_int_equal(wx_sign(k, "x", 1, &sig), QUAN_OK);
		assert_int_equal(strlen(sig), 344);
		free(sig);
	}
	wx_key_free(k);
	k = NULL;
	assert_int_equal(wx_key_load_file(tpath("missing.pem"), &k, &cause),
	    QUAN_ENOTFOUND);
	/* Garbage and a public key are not private keys. */
	assert_int_equal(wx_key_load_pem("garbage", 7, &k, &cause),
	    QUAN_EINVAL);
	assert_int_equal(wx_key_load_pem(GO_PUB, strlen(GO_PUB), &k, &cause),
	    QUAN_EINVAL);
	/* Encrypted PEMs are refused (no passphrase prompt). */
	assert_int_equal(wx_key_load_pem(GO_KEY_ENCRYPTED,
	    strlen(GO_KEY_ENCRYPTED), &k, &cause), QUAN_EINVAL);
	assert_null(k);

	/* APIv3 key file: 32 chars, trailing newline tolerated, 0600. */
	f = fopen(tpath("apiv3.key"), "w");
	fputs("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb\n", f);
	fclose(f);
	chmod(tpath("apiv3.key"), 0604);
	assert_int_equal(wx_apiv3_key_load(tpath("apiv3.key"), key, &cause),
	    QUAN_EPERM);
	chmod(tpath("apiv3.key"), 0600);
	assert_int_equal(wx_apiv3_key_load(tpath("apiv3.key"), key, &cause),
	    QUAN_OK);
	assert_memory_equal(key, JV_APIV3, 32);
	f = fopen(tpath("short.key"), "w");
	fputs("tooshort\n", f);
	fclose(f);
	chmod(tpath("short.key"), 0600);
	assert_int_equal(wx_apiv3_key_load(tpath("short.key"), key, &cause),
	    QUAN_EINVAL);
	assert_int_equal(wx_secret_read(tpath("short.key"), 64, &s, &cause),
	    QUAN_OK);
	assert_string_equal(s, "tooshort");
	wx_wipe_free(s);
	free(cause);
}

static void
test_generate(void **state)
{
	struct wx_key *cak = NULL, *srvk = NULL, *mk = NULL, *back = NULL;
	struct wx_cert *ca = NULL, *srv = NULL, *m = NULL, *m2 = NULL;
	struct wx_pub *p = NULL, *p2 = NULL;
	const char *dns[] = { "localhost", NULL };
	const char *ip[] = { "127.0.0.1", NULL };
	struct wx_cert_spec cas = { .cn = "quan sim test CA", .org = "quan",
	    .is_ca = 1 };
	struct wx_cert_spec ss = { .cn = "127.0.0.1", .server = 1,
	    .dns = dns, .ip = ip };
	struct wx_cert_spec ms = { .cn = "1900000001", .org = "quan merchant",
	    .serial_hex = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
	    .not_before = 1700000000, .not_after = 1900000000 };
	char *cause = NULL, *sig = NULL, *pem;
	struct stat st;

	(void)state;
	assert_int_equal(wx_key_generate(1024, &cak), QUAN_EINVAL);
	assert_int_equal(wx_key_generate(2048, &cak), QUAN_OK);
	assert_int_equal(wx_key_generate(2048, &srvk), QUAN_OK);
	assert_int_equal(wx_key_generate(2048, &mk), QUAN_OK);
	assert_int_equal(wx_cert_make(&cas, cak, NULL, NULL, &ca, &cause), 0);
	assert_int_equal(wx_cert_make(&ss, srvk, ca, cak, &srv, &cause), 0);
	assert_int_equal(wx_cert_make(&ms, mk, ca, cak, &m, &cause), 0);
	assert_int_equal(wx_cert_check_issuer(srv, ca), QUAN_OK);
	assert_int_equal(wx_cert_check_issuer(ca, ca), QUAN_OK);
	assert_int_equal(wx_cert_check_issuer(ca, srv), QUAN_EPROTO);
	assert_string_equal(wx_cert_serial(m),
	    "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
	assert_int_equal(wx_cert_not_before(m), 1700000000);
	assert_int_equal(wx_cert_not_after(m), 1900000000);
	assert_int_equal(wx_cert_check_time(srv, tm_now(), NULL), QUAN_OK);
	assert_true(strlen(wx_cert_serial(ca)) >= 38);
	/* Sign with the merchant key, verify with the certificate's key. */
	assert_int_equal(wx_sign(mk, "abc", 3, &sig), QUAN_OK);
	assert_int_equal(wx_pub_from_cert(m, &p), QUAN_OK);
	assert_int_equal(wx_verify(p, "abc", 3, sig), QUAN_OK);
	free(sig);
	/* Save and reload: key 0600, cert and public key reload equal. */
	assert_int_equal(wx_key_save(mk, tpath("m.pem"), &cause), QUAN_OK);
	assert_int_equal(stat(tpath("m.pem"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(wx_key_load_file(tpath("m.pem"), &back, &cause), 0);
	assert_int_equal(wx_sign(back, "abc", 3, &sig), QUAN_OK);
	assert_int_equal(wx_verify(p, "abc", 3, sig), QUAN_OK);
	free(sig);
	assert_int_equal(wx_cert_save(m, tpath("m.crt"), &cause), QUAN_OK);
	assert_int_equal(wx_cert_load_file(tpath("m.crt"), &m2, &cause), 0);
	assert_string_equal(wx_cert_serial(m2), wx_cert_serial(m));
	assert_int_equal(wx_pub_save(p, tpath("pub.pem"), &cause), QUAN_OK);
	assert_int_equal(wx_pub_load_file(tpath("pub.pem"), &p2, &cause), 0);
	pem = wx_pub_pem(p2);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
	free(pem);
	pem = wx_key_pem(mk);
	assert_non_null(strstr(pem, "BEGIN PRIVATE KEY"));
	wx_wipe_free(pem);
	unlink(tpath("m.pem"));
	unlink(tpath("m.crt"));
	unlink(tpath("pub.pem"));
	unlink(tpath("k.pem"));
	unlink(tpath("apiv3.key"));
	unlink(tpath("short.key"));
	rmdir(tmpdir);
	free(cause);
	wx_pub_free(p2);
	wx_pub_free(p);
	wx_cert_free(m2);
	wx_cert_free(m);
	wx_cert_free(srv);
	wx_cert_free(ca);
	wx_key_free(back);
	wx_key_free(mk);
	wx_key_free(srvk);
	wx_key_free(cak);
	/* NULL-safe frees. */
	wx_key_free(NULL);
	wx_pub_free(NULL);
	wx_cert_free(NULL);
	wx_trust_free(NULL);
	wx_wipe_free(NULL);
}

static void
test_trust_expiry(void **state)
{
	struct wx_trust *t = wx_trust_new();
	struct wx_cert *c = cert_of(JV_CERT);

	(void)state;
	assert_int_equal(wx_trust_add_cert(t, c), QUAN_OK);
	assert_true(wx_trust_has(t, wx_cert_serial(c), 1700000000));
	assert_false(wx_trust_has(t, wx_cert_serial(c), tm_now()));
	assert_int_equal(wx_trust_verify(t, wx_cert_serial(c), "1", "n", "x",
	    "", 0, tm_now(), NULL), QUAN_ENOTFOUND);
	wx_cert_free(c);
	wx_trust_free(t);
}


/* ---- threads and hostile input ---------------------------------------- */

struct trust_arg {
	struct wx_trust *t;
	struct wx_cert *c;
	int fails;
};

static void *
trust_reader(void *p)
{
	struct trust_arg *a = p;
	int i;

	for (i = 0; i < 200; i++)
		if (wx_trust_verify(a->t, "PUB_KEY_ID_X", "1700000001",
		    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG, D4_BODY,
		    strlen(D4_BODY), 1700000001, NULL) != 0)
			a->fails++;
	return NULL;
}

static void *
trust_writer(void *p)
{
	struct trust_arg *a = p;
	int i;

	for (i = 0; i < 200; i++) {
		wx_trust_add_cert(a->t, a->c);
		(void)wx_trust_has(a->t, wx_cert_serial(a->c), 1700000000);
		(void)wx_trust_count(a->t);
	}
	return NULL;
}

static void
test_trust_threads(void **state)
{
	struct wx_pub *p = pub_of(GO_PUB);
	struct trust_arg a[4];
	pthread_t th[4];
	struct wx_trust *t = wx_trust_new();
	struct wx_cert *c = cert_of(GO_CERT);
	int i;

	(void)state;
	assert_int_equal(wx_trust_add_pub(t, "PUB_KEY_ID_X", p), 0);
	for (i = 0; i < 4; i++) {
		a[i].t = t;
		a[i].c = c;
		a[i].fails = 0;
		assert_int_equal(pthread_create(&th[i], NULL, i == 0 ?
		    trust_writer : trust_reader, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(a[i].fails, 0);
	}
	assert_int_equal(wx_trust_count(t), 2);
	wx_cert_free(c);
	wx_trust_free(t);
	wx_pub_free(p);
}

/* Mutated inputs must never crash or be accepted where they should not. */
static void
test_hostile_input(void **state)
{
	struct wx_pub *p = pub_of(GO_PUB);
	uint32_t rng = 12345;
	char buf[600];
	struct wx_auth a;
	uint8_t *d;
	size_t n, len;
	int i, j;

	(void)state;
	for (i = 0; i < 3000; i++) {
		const char *src = i % 2 ? D1_AUTH : D4_SIG;
		len = strlen(src);
		if (len >= sizeof buf)
			len = sizeof buf - 1;
		memcpy(buf, src, len);
		buf[len] = '\0';
		for (j = 0; j < 3; j++) {
			rng ^= rng << 13;
			rng ^= rng >> 17;
			rng ^= rng << 5;
			buf[rng % len] = (char)(rng >> 8);
		}
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		buf[rng % (len + 1)] = '\0'; /* truncate somewhere */
		(void)wx_auth_parse(buf, &a, NULL);
		if (wx_b64_decode(buf, strlen(buf), &d, &n) == 0)
			free(d);
		/* A mutated signature never verifies. */
		if (i % 2 == 0 && strcmp(buf, D4_SIG) != 0)
			assert_int_not_equal(wx_verify_response(p, "1700000001",
			    "c5ac7061fccab6bf3e254dcf98995b8c", buf, D4_BODY,
			    strlen(D4_BODY), 1700000001, NULL), 0);
	}
	/* Oversized fields are refused without allocation. */
	memset(buf, 'a', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	memcpy(buf, "X mchid=\"", 9);
	buf[sizeof buf - 2] = '"';
	assert_int_equal(wx_auth_parse(buf, &a, NULL), QUAN_EINVAL);
	wx_pub_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_request_signature),
		cmocka_unit_test(test_sk_pay_sign),
		cmocka_unit_test(test_go_raw_signature),
		cmocka_unit_test(test_jv_raw_signature),
		cmocka_unit_test(test_auth_layout),
		cmocka_unit_test(test_go_notification),
		cmocka_unit_test(test_go_validator_layout),
		cmocka_unit_test(test_jv_aes256gcm),
		cmocka_unit_test(test_jv_certificate_payload),
		cmocka_unit_test(test_go_aes128gcm),
		cmocka_unit_test(test_ax_iv16),
		cmocka_unit_test(test_d1_use_authorization),
		cmocka_unit_test(test_d2_d3_get_signatures),
		cmocka_unit_test(test_d4_d5_responses),
		cmocka_unit_test(test_d6_coupon_send),
		cmocka_unit_test(test_auth_parse),
		cmocka_unit_test(test_base64_nonce),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_trust_expiry),
		cmocka_unit_test(test_trust_threads),
		cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
