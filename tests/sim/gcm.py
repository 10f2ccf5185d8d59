#!/usr/bin/env python3
"""AEAD_AES_256_GCM decryption for the sim conformance test (independent of
quan's own code). Usage: gcm.py KEYFILE NONCE AAD < base64-ciphertext
Prints the plaintext."""
import base64
import sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

key = open(sys.argv[1], "rb").read().strip()
assert len(key) == 32, "APIv3 key must be 32 bytes"
ct = base64.b64decode(sys.stdin.read().strip(), validate=True)
aad = sys.argv[3].encode() if sys.argv[3] else None
sys.stdout.write(AESGCM(key).decrypt(sys.argv[2].encode(), ct, aad).decode())
