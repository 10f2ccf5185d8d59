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

/* §11.2: the official use answer (2025-09 generation, every optional
 * field filled; usage_mode "SEQUENTIAL" as in the source). */
static const char PC_USE_ANSWER[] =
	"{\n  \"coupon_code\": \"123446565767\",\n  \"coupon_state\": \"USED\","
	"\n  \"valid_begin_time\": \"2025-01-01T00:00+08:00\",\n  \"valid_en"
	"d_time\": \"2025-01-30T23:59:59+08:00\",\n  \"receive_time\": \"202"
	"5-01-01T09:10:00+08:00\",\n  \"send_request_no\": \"MCHSEND202003"
	"101234\",\n  \"send_channel\": \"API\",\n  \"confirm_request_no\": \"M"
	"CHCONFIRM202003101234\",\n  \"confirm_time\": \"2025-01-20T13:29:"
	"35+08:00\",\n  \"deactivate_request_no\": \"100260062001909012314"
	"3254436\",\n  \"deactivate_time\": \"2025-01-20T13:29:35+08:00\",\n"
	"  \"deactivate_reason\": \"\345\225\206\345\223\201\345\267\262\344\270\213\347\272\277\",\n  \"single_usage_de"
	"tail\": {\n    \"use_request_no\": \"MCHUSE202003101234\",\n    \"us"
	"e_time\": \"2025-07-20T13:29:35+08:00\",\n    \"associated_order_"
	"info\": {\n      \"transaction_id\": \"42000000001234567891234567"
	"89\",\n      \"out_trade_no\": \"trade_no_20250724123456\",\n      "
	"\"mchid\": \"1234567890\",\n      \"sub_mchid\": \"1234567890\"\n    }"
	",\n    \"return_request_no\": \"MCHRETURN202003101234\",\n    \"ret"
	"urn_time\": \"2025-07-20T14:29:35+08:00\"\n  },\n  \"product_coupo"
	"n\": {\n    \"product_coupon_id\": \"1002323\",\n    \"scope\": \"ALL\""
	",\n    \"type\": \"NORMAL\",\n    \"usage_mode\": \"SEQUENTIAL\",\n    "
	"\"single_usage_info\": {\n      \"normal_coupon\": {\"threshold\": "
	"10000, \"discount_amount\": 100},\n      \"discount_coupon\": {\"t"
	"hreshold\": 10000, \"percent_off\": 30}\n    },\n    \"display_inf"
	"o\": {\n      \"name\": \"\345\205\250\345\234\272\346\273\241100\345\217\257\345\207\21710\345\205\203\",\n      \"image_"
	"url\": \"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx\",\n     "
	" \"background_url\": \"https://wxpaylogo.qpic.cn/wxpaylogo/xxxx"
	"x/xxx\",\n      \"detail_image_url_list\": [\"https://wxpaylogo.q"
	"pic.cn/wxpaylogo/xxxxx/xxx\"],\n      \"original_price\": 10000,"
	"\n      \"combo_package_list\": [\n        {\"name\": \"\345\222\226\345\225\2412\351\200\2111"
	"\", \"pick_count\": 3,\n         \"choice_list\": [{\"name\": \"\347\276\216\345\274"
	"\217\", \"price\": 10000, \"count\": 2,\n                          \"i"
	"mage_url\": \"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx\",\n"
	"                          \"mini_program_appid\": \"wx4fd123456"
	"78\", \"mini_program_path\": \"/pages/index/index\"}]}\n      ]\n  "
	"  },\n    \"out_product_no\": \"Product_1234567890\",\n    \"state\""
	": \"AUDITING\",\n    \"deactivate_request_no\": \"1002600620019090"
	"123143254436\",\n    \"deactivate_time\": \"2025-06-20T13:29:35+0"
	"8:00\",\n    \"deactivate_reason\": \"\345\225\206\345\223\201\345\267\262\344\270\213\346\236\266\",\n    \"bran"
	"d_id\": \"120344\"\n  },\n  \"stock\": {\n    \"product_coupon_id\": \""
	"200000001\",\n    \"stock_id\": \"123456789\",\n    \"remark\": \"\346\273\241\345"
	"\207\217\345\210\270\",\n    \"coupon_code_mode\": \"UPLOAD\",\n    \"coupon_code_c"
	"ount_info\": {\"total_count\": 10000, \"available_count\": 999},\n"
	"    \"stock_send_rule\": {\"max_count\": 10000000, \"max_count_pe"
	"r_day\": 10000, \"max_count_per_user\": 1},\n    \"single_usage_r"
	"ule\": {\n      \"coupon_available_period\": {\n        \"availabl"
	"e_begin_time\": \"2025-01-01T00:00:00+08:00\",\n        \"availab"
	"le_end_time\": \"2025-10-01T00:00:00+08:00\",\n        \"availabl"
	"e_days\": 10,\n        \"wait_days_after_receive\": 1,\n        \""
	"weekly_available_period\": {\"day_list\": [\"MONDAY\"], \"day_peri"
	"od_list\": [{\"begin_time\": 60, \"end_time\": 86399}]},\n        "
	"\"irregular_available_period_list\": [{\"begin_time\": \"2025-01-"
	"01T00:00:00+08:00\", \"end_time\": \"2025-10-01T00:00:00+08:00\"}"
	"]\n      },\n      \"normal_coupon\": {\"threshold\": 10000, \"disc"
	"ount_amount\": 100},\n      \"discount_coupon\": {\"threshold\": 1"
	"0000, \"percent_off\": 30},\n      \"exchange_coupon\": {\"thresho"
	"ld\": 10000, \"exchange_price\": 100}\n    },\n    \"usage_rule_di"
	"splay_info\": {\n      \"coupon_usage_method_list\": [\"MINI_PROG"
	"RAM\"],\n      \"mini_program_appid\": \"wx1234567890\",\n      \"mi"
	"ni_program_path\": \"/pages/index/product\",\n      \"app_path\": "
	"\"https://www.example.com/jump-to-app\",\n      \"usage_descript"
	"ion\": \"\345\205\250\345\234\272\345\217\257\347\224\250\",\n      \"coupon_available_store_info\": {"
	"\"description\": \"\345\217\257\345\234\250\344\270\212\346\265\267\345\270\202\345\214\272\347\232\204\346\211\200\346\234\211\351\227\250\345\272\227\344\275\277\347\224\250\357\274\214\350\257"
	"\246\347\273\206\345\210\227\350\241\250\345\217\202\350\200\203\345\260\217\347\250\213\345\272\217\345\206\205\344\277\241\346\201\257\344\270\272\345\207\206\", \"mini_program_app"
	"id\": \"wx1234567890\", \"mini_program_path\": \"/pages/index/stor"
	"e-list\"}\n    },\n    \"coupon_display_info\": {\n      \"code_dis"
	"play_mode\": \"QRCODE\",\n      \"background_color\": \"Color010\",\n"
	"      \"entrance_mini_program\": {\"appid\": \"wx1234567890\", \"pa"
	"th\": \"/pages/index/product\", \"entrance_wording\": \"\346\254\242\350\277\216\351\200\211\350"
	"\264\255\", \"guidance_wording\": \"\350\216\267\345\217\226\346\233\264\345\244\232\344\274\230\346\203\240\"},\n      \"entra"
	"nce_official_account\": {\"appid\": \"wx1234567890\"},\n      \"ent"
	"rance_finder\": {\"finder_id\": \"gh_12345678\", \"finder_video_id"
	"\": \"UDFsdf24df34dD456Hdf34\", \"finder_video_cover_image_url\":"
	" \"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx\"}\n    },\n   "
	" \"notify_config\": {\"notify_appid\": \"wx4fd12345678\"},\n    \"st"
	"ore_scope\": \"SPECIFIC\",\n    \"sent_count_info\": {\"total_count"
	"\": 100, \"today_count\": 10},\n    \"state\": \"SENDING\",\n    \"dea"
	"ctivate_request_no\": \"1002600620019090123143254436\",\n    \"de"
	"activate_time\": \"2025-01-01T00:00+08:00\",\n    \"deactivate_re"
	"ason\": \"\346\211\271\346\254\241\344\277\241\346\201\257\346\234\211\350\257\257\357\274\214\351\207\215\346\226\260\345\210\233\345\273\272\",\n    \"brand_id\": "
	"\"120344\"\n  },\n  \"attach\": \"example_attach\",\n  \"channel_custo"
	"m_info\": \"example_channel_custom_info\",\n  \"brand_id\": \"12034"
	"4\",\n  \"coupon_tag_info\": {\"coupon_tag_list\": [\"MEMBER\"], \"me"
	"mber_tag_info\": {\"member_card_id\": \"MemberCardId_1234567890\""
	"}}\n}";

#endif
