#!/usr/bin/env python3
"""Signed random-input requests against a running `quan sim serve`.

Usage: fuzz_requests.py DIR URL N SEED
Sends N correctly signed requests to every merchant-coupon and card
endpoint with bodies mutated from valid ones (wrong types, nulls, huge or
odd strings, nested junk, missing and extra keys) and random path ids.
Fails (exit 1) if any answer is a 5xx, is not JSON where JSON is due, is
unsigned, or if the server stops answering. Prints a status histogram.
"""
import base64
import http.client
import json
import os
import random
import secrets
import ssl
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

d, url, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
ids = json.load(open(os.path.join(d, "sim.json")))
key = serialization.load_pem_private_key(
    open(os.path.join(d, "merchant/apiclient_key.pem"), "rb").read(), None)
u = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=20)
seedj = json.load(open(os.path.join(d, "seed.json")))
stock = seedj["merchant"]["valid"][0]["stock_id"]
code = seedj["merchant"]["valid"][0]["code"]
openid = seedj["merchant"]["valid"][0]["openid"]

JUNK = [None, True, False, 0, -1, 2**63, 1.5, "", "x" * 300, "\u00e9\u4e2d",
        "../../etc", "%00", [], [1, "a"], {}, {"a": {"b": [None]}}, "'; DROP TABLE coupons;--"]


def mutate(obj):
    obj = json.loads(json.dumps(obj))
    for _ in range(rnd.randint(1, 4)):
        if not isinstance(obj, dict) or not obj:
            return rnd.choice(JUNK) if rnd.random() < 0.2 else obj
        k = rnd.choice(list(obj.keys()))
        r = rnd.random()
        if r < 0.4:
            obj[k] = rnd.choice(JUNK)
        elif r < 0.6:
            del obj[k]
        elif r < 0.8:
            obj["extra_" + str(rnd.randint(0, 9))] = rnd.choice(JUNK)
        elif isinstance(obj[k], dict):
            obj[k] = mutate(obj[k])
    return obj


now = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600))
stock_body = json.load(open(os.path.join(d, "import/stocks.json")))[0]
for k in ("stock_id", "stock_state", "send_count_information", "coupon_code_count"):
    stock_body.pop(k, None)
stock_body["out_request_no"] = "fz"
BODIES = {
    "/v3/marketing/busifavor/coupons/use": {"coupon_code": code, "stock_id": stock, "appid": ids["appid"],
                                            "use_time": now, "use_request_no": "FZ1"},
    "/v3/marketing/busifavor/coupons/send": {"openid": openid, "appid": ids["appid"], "stock_id": stock,
                                             "out_request_no": "fz1"},
    "/v3/marketing/busifavor/coupons/return": {"coupon_code": code, "stock_id": stock, "return_request_no": "r"},
    "/v3/marketing/busifavor/coupons/deactivate": {"coupon_code": "nosuch", "stock_id": stock,
                                                   "deactivate_request_no": "d"},
    "/v3/marketing/busifavor/stocks": stock_body,
    "/v3/marketing/busifavor/stocks/%s/couponcodes" % stock: {"coupon_code_list": ["A"], "upload_request_no": "u"},
    "/v3/marketing/busifavor/callbacks": {"notify_url": "https://127.0.0.1:9/x"},
}
GETS = [
    "/v3/marketing/busifavor/stocks/{id}",
    "/v3/marketing/busifavor/stocks/{id}/couponcodes?limit={id}&offset={id}",
    "/v3/marketing/busifavor/stocks/{id}/couponcodes/{id}",
    "/v3/marketing/busifavor/users/{id}/coupons?appid={id}&belong_merchant={id}&limit={id}",
    "/v3/marketing/busifavor/users/{id}/coupons/{id}/appids/{id}",
    "/v3/certificates?algorithm_type={id}",
]
CARD = ["/card/get", "/card/batchget", "/card/code/get", "/card/code/consume", "/card/code/decrypt",
        "/cgi-bin/stable_token"]
IDS = ["1", stock, code, "%2e%2e", "%2F", "a%00", "%zz", "x" * 200, "%E4%B8%AD", "..", "~", "%",
       "a+b", "-1", "99999999999999999999999"]


def sign(method, target, body):
    ts, nonce = str(int(time.time())), secrets.token_hex(16).upper()
    msg = "%s\n%s\n%s\n%s\n%s\n" % (method, target, ts, nonce, body)
    sig = base64.b64encode(key.sign(msg.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return ('WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"'
            % (ids["mchid"], nonce, ts, ids["merchant_serial"], sig))


hist = {}
bad = 0
for i in range(n):
    kind = rnd.random()
    hdrs = {"Accept": "application/json", "User-Agent": "fuzz/1"}
    if kind < 0.5:
        path = rnd.choice(list(BODIES))
        body = json.dumps(mutate(BODIES[path]), ensure_ascii=rnd.random() < 0.5)
        method = rnd.choice(["POST", "POST", "POST", "PATCH", "GET"])
        hdrs["Content-Type"] = "application/json"
    elif kind < 0.8:
        path = rnd.choice(GETS)
        while "{id}" in path:
            path = path.replace("{id}", rnd.choice(IDS), 1)
        body, method = "", "GET"
    else:
        path = rnd.choice(CARD) + "?access_token=" + rnd.choice(IDS)
        body = json.dumps(mutate({"card_id": "p1", "code": code, "check_consume": True, "offset": 0,
                                  "count": 5, "encrypt_code": "AAAA", "grant_type": "client_credential",
                                  "appid": ids["card_appid"], "secret": "x"}))
        method = "POST"
    if path.startswith("/v3/"):
        hdrs["Authorization"] = sign(method, path, body)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
    except Exception as e:  # one reconnect, then give up
        conn.close()
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=20)
        try:
            conn.request(method, path, body=body.encode() if body else None, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
        except Exception as e2:
            print("FAIL request %d %s %s: %s / %s" % (i, method, path, e, e2))
            sys.exit(1)
    hist[r.status] = hist.get(r.status, 0) + 1
    problem = None
    if r.status >= 500:
        problem = "5xx"
    elif data and r.status != 413:
        try:
            json.loads(data)
        except ValueError:
            problem = "non-JSON body"
    if path.startswith("/v3/") and r.status != 413 and not r.getheader("Wechatpay-Signature"):
        problem = "unsigned answer"
    if problem:
        bad += 1
        print("FAIL %s: %s %s -> %d %r (body %r)" % (problem, method, path, r.status, data[:200], body[:200]))
print("fuzz: %d requests, statuses %s, %d problems" % (n, dict(sorted(hist.items())), bad))
sys.exit(1 if bad else 0)
