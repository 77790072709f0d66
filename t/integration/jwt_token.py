#!/usr/bin/env python3
"""JSON Web Tokens for the integration tests of publish and play tokens
(proto/auth/jwt.hpp): the JWS compact form, base64url without padding, HS256
with the standard library's hmac and RS256 with the openssl command line. No
third-party modules.

    make_token("live/cam", "publish", int(time.time()) + 60, secret="...")
    private, public = make_rsa_keypair(tmpdir)
    make_token("live/*", "play", exp, private_key_pem_path=private)

As a command:
    jwt_token.py token --stream live/cam --act play --ttl 3600 --secret S
    jwt_token.py token --stream live/cam --act play --exp 1700000000 --key private.pem
    jwt_token.py keypair DIR      (prints the private and public key paths)
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time


def b64url(data):
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def rs256_sign(data, private_key_pem_path):
    """RSASSA-PKCS1-v1_5 with SHA-256 over `data` (bytes), by the openssl CLI."""
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", private_key_pem_path],
                         input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=True, timeout=30)
    return out.stdout


def make_token(stream, act, exp, secret=None, private_key_pem_path=None, alg=None, extra=None,
               header_extra=None):
    """A signed token. The claims are {"stream", "act", "exp"} plus `extra`
    (a value of None removes a claim; exp=None leaves "exp" out). The key
    chooses the signature: `secret` (str or bytes) signs with HMAC-SHA-256,
    `private_key_pem_path` with RSA; `alg` only changes what the header says
    (default HS256 or RS256 after the key), and "none" leaves the signature
    empty. `header_extra` adds or removes (None) header parameters."""
    header = {"alg": alg or ("HS256" if secret is not None else "RS256"), "typ": "JWT"}
    claims = {"stream": stream, "act": act, "exp": exp}
    for target, more in ((header, header_extra), (claims, extra)):
        for name, value in (more or {}).items():
            target[name] = value
    for target in (header, claims):
        for name in [n for n, v in target.items() if v is None]:
            del target[name]
    return sign_token(_json(header), _json(claims), secret, private_key_pem_path,
                      unsigned=header["alg"] == "none")


def sign_token(header_json, claims_json, secret=None, private_key_pem_path=None, unsigned=False):
    """A token made of the exact bytes given as header and claims (for texts
    json.dumps would not write: duplicate names, "1e9", broken JSON), signed
    with HMAC-SHA-256 under `secret`, RSA under the private key, or not at
    all (`unsigned`: an empty signature)."""
    signing_input = (b64url(header_json) + "." + b64url(claims_json)).encode("ascii")
    if unsigned:
        signature = b""
    elif secret is not None:
        key = secret.encode("utf-8") if isinstance(secret, str) else secret
        signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    elif private_key_pem_path is not None:
        signature = rs256_sign(signing_input, private_key_pem_path)
    else:
        raise ValueError("sign_token: give a secret or a private key")
    return signing_input.decode("ascii") + "." + b64url(signature)


def make_rsa_keypair(directory, bits=2048):
    """A fresh RSA key pair in `directory`: (private PEM path, public PEM path),
    the public one as "BEGIN PUBLIC KEY" (what jwt_public_key takes)."""
    private = os.path.join(directory, "jwt_private.pem")
    public = os.path.join(directory, "jwt_public.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:%d" % bits, "-out", private],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=60)
    subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", public],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=30)
    return private, public


def main(argv):
    parser = argparse.ArgumentParser(description="Make JWTs for publish and play.")
    sub = parser.add_subparsers(dest="command", required=True)
    token = sub.add_parser("token", help="print a token")
    token.add_argument("--stream", required=True, help="app/stream or app/*")
    token.add_argument("--act", required=True, choices=["play", "publish"])
    when = token.add_mutually_exclusive_group()
    when.add_argument("--exp", type=int, help="expiry, seconds since 1970")
    when.add_argument("--ttl", type=int, default=3600, help="seconds from now (default 3600)")
    key = token.add_mutually_exclusive_group(required=True)
    key.add_argument("--secret", help="HS256 secret")
    key.add_argument("--key", help="RS256 private key, PEM file")
    pair = sub.add_parser("keypair", help="make an RSA key pair in DIR")
    pair.add_argument("dir")
    args = parser.parse_args(argv)
    if args.command == "keypair":
        print("\n".join(make_rsa_keypair(args.dir)))
        return 0
    exp = args.exp if args.exp is not None else int(time.time()) + args.ttl
    print(make_token(args.stream, args.act, exp, secret=args.secret,
                     private_key_pem_path=args.key))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
