/*
 * pc_vectors.h — 商品券 (product coupon) signing and decryption vectors,
 * verbatim from ../shared/docs/wechatpay-product-coupon.md §11.1 (the
 * official use bodies) and §11.4 (DER: computed with OpenSSL/Python from
 * the official APIv3 test key DOC_KEY of vectors.h). Extracted by script.
 * Test-only; included by .c files in tests/net.
 */
#ifndef QUAN_TESTS_NET_PC_VECTORS_H
#define QUAN_TESTS_NET_PC_VECTORS_H

static const char PC_BRAND_USE_BODY[] =
	"{\"product_coupon_id\":\"1000000013\",\"stock_id\":\"1000000013001\""
	",\"appid\":\"wx233544546545989\",\"use_time\":\"2025-08-03T12:00:00"
	"+08:00\",\"out_request_no\":\"MCHUSE202003101234\",\"associated_or"
	"der_info\":{\"transaction_id\":\"4200000000123456789123456789\"}}";

static const char PC_PARTNER_USE_BODY[] =
	"{\"product_coupon_id\":\"1000000013\",\"stock_id\":\"1000000013001\""
	",\"appid\":\"wx233544546545989\",\"use_time\":\"2025-08-03T12:00:00"
	"+08:00\",\"out_request_no\":\"MCHUSE202003101234\",\"brand_id\":\"12"
	"0344\",\"associated_order_info\":{\"transaction_id\":\"42000000001"
	"23456789123456789\"}}";

static const char PC_BRAND_SIG[] =
	"f4W64nk7nkxMEkEZHhBv409C2Kv/B9GmH2x2vZOCbeOYux1/n5wkSZ44BLXi"
	"9TH/vjqRqeNIuNBukG1sRlnRGCiWOvmN+LvRk5/0fum0mdkJP8jxYMgCWC7J"
	"7cwCqm5Qv+g609r5pLwCZxIl2D1FSEyASt45G+cmqRkgJNOvvKOPEVVwl0ez"
	"lbVUKcJmSywT9/0ibgvFdC5Gw66AANZMxzCJsk2A3cM2yuh+QSzjMATlIUju"
	"MC0Q3kK34PZaIB64slWjw1012jDMDfhqbS6yS/LKHYJOOoQyBQuWoXNPZsky"
	"MY3xO+I/1L95QwTpO7l6w+fxQ766UMZ71soDWaz+pQ==";

static const char PC_PARTNER_SIG[] =
	"BcNkA0WbnOWQq2eZFha205PmVbgafLm1oAwIVP5Ag5nM+x2ckmyZb+dKXRU3"
	"mRx7/4/cf7g3s7vSYKI3dvgLkR2XFNRjzrNwLb+ATDGGRJ9CTO368kwxNCyc"
	"7qRAivh1ZJAiVnXhbWtP+isCmZgVQ7b80nHuC9QvyctKI9EYnPa2lC1EoLwA"
	"SzTRbcoohyi+fpAHcLASt2kZMWK7IjvyU+9gwXa0DgWJGra7+NgQCGslmHsT"
	"3AVdKnxmdO2imit1DEqmy1lJLRknYpe2HOtThEdkRLY3DDyXV8aueYOG/mB1"
	"5c6CEG+/Vi3C1zvGJZEd8jSrlonRRjDNTxxPt6pqgA==";

static const char PC_GET_SIG[] =
	"IsXoUMIMFio+Opm+Om0AK4C+JSC2oo9Din2WKcDEOL2Mg4UYsScnKo7+EYJ0"
	"xwe4rTQpp1xsfkx9RcVpez0zWTTYi8PtuW0VFFekwkHMMTBNTPeTM+tvKhAy"
	"OIcwoSBhPAzd14hBAuuz0d2XDZ0eTQmmvkNOCMmoQi4tG2itxx+6J5w7NgHE"
	"Ylh/BsqlM9xVUbTkbev5ww8v+7sRvfGg7Wl6b5m/6RhRDEW0vvGG9R8wR+6G"
	"kRdhLHvs3Lgsy3l5ro2cR2jONcjMhRPZ7d2TcrPnIMQ4ptHxdvN3bUEsNSwl"
	"2ly+ft/jJl1LVKz81ClX3dGLB2FtBEoggZp4YJJjeA==";

static const char PC_PLAIN[] =
	"{\"brand_id\":\"120344\",\"coupon_code\":\"Code_123456\",\"product_co"
	"upon_id\":\"1000000013\",\"stock_id\":\"1000000013001\",\"appid\":\"wx"
	"233544546545989\",\"openid\":\"oh-394z-6CGkNoJrsDLTTUKiAnp4\",\"un"
	"ionid\":\"o-EYM5n8IVcPfZ6lrKbs41ahDhdc\",\"receive_time\":\"2025-0"
	"8-01T10:00:00+08:00\",\"send_request_no\":\"MCHSEND202003101234\""
	",\"send_channel\":\"API\",\"valid_begin_time\":\"2025-08-01T10:00:0"
	"0+08:00\",\"valid_end_time\":\"2025-08-31T23:59:59+08:00\",\"attac"
	"h\":\"example_attach\"}";

static const char PC_CT_PARTNER[] =
	"LnnSCvpdCy0cBLJiLfMbfGnWGTa7ijY9ry3+7t3fw7edStlvF6d+tVPKB/oR"
	"3aNaSnb7kYoybS58MDn3DydBWa+1JVqDHGMWtJ3+ZhTLuYK/F71JisW1ls4O"
	"iQWbqrT+lunxvKttbhtdsGwWXVDyS+6cbYccf5t+ym/9z58XhGQz8J6T8I7D"
	"2nTtIVsvD+DbSRagf2jC3EG/l5NG+ZX8Q/djCNdy2Hy7VTb/O+sKFT31uVnM"
	"4yWmZCm30ra9Uk0k7Rj4rbt1PvW+bnwbzziEdX3ed1quqaF1cbw+77cAsugM"
	"YGytFolwqwK8tJp2d7mxEQtuGncPK/k7Iliddp89OqW+E/yFgXO3PMIIijvE"
	"52u2amZE/MGWp4uCU/op5H3fXgeYrG9BSz7DSAsXS3R/rToXRAOuAbWmelzt"
	"SlZrpFdX44t8l6yGGxb82ERkRLH/IrBbBHQfsL4UHXtMNVrs3p/LDg37F9y4"
	"wfriS6p0B+2CY4Fy47viLRXDC0L73FlIFBvIx4OfTvzT8vcpt9Rzp2AWlAQM"
	"ZPiF81e4Ruh0QU6EF/z8oSN2C7CHdKGzF0oqsEAXH2ziMhRX9mOFIqAMN3dB"
	"IEMGj+F4";

static const char PC_CT_BRAND[] =
	"LnnSCvpdCy0cBLJiLfMbfGnWGTa7ijY9ry3+7t3fw7edStlvF6d+tVPKB/oR"
	"3aNaSnb7kYoybS58MDn3DydBWa+1JVqDHGMWtJ3+ZhTLuYK/F71JisW1ls4O"
	"iQWbqrT+lunxvKttbhtdsGwWXVDyS+6cbYccf5t+ym/9z58XhGQz8J6T8I7D"
	"2nTtIVsvD+DbSRagf2jC3EG/l5NG+ZX8Q/djCNdy2Hy7VTb/O+sKFT31uVnM"
	"4yWmZCm30ra9Uk0k7Rj4rbt1PvW+bnwbzziEdX3ed1quqaF1cbw+77cAsugM"
	"YGytFolwqwK8tJp2d7mxEQtuGncPK/k7Iliddp89OqW+E/yFgXO3PMIIijvE"
	"52u2amZE/MGWp4uCU/op5H3fXgeYrG9BSz7DSAsXS3R/rToXRAOuAbWmelzt"
	"SlZrpFdX44t8l6yGGxb82ERkRLH/IrBbBHQfsL4UHXtMNVrs3p/LDg37F9y4"
	"wfriS6p0B+2CY4Fy47viLRXDC0L73FlIFBvIx4OfTvzT8vcpt9Rzp2AWlAQM"
	"ZPiF81e4Ruh0QU6EF/z8oSN2C7CHdKGzF0oqsEAXH2ziMhTCngzZxgGqIXtN"
	"2eBq4oBW";

#endif
