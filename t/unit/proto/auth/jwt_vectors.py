#!/usr/bin/env python3
"""Writes jwt_vectors.hpp, the test vectors of jwt_test.cpp, made outside the
code under test: HS256 with python's hmac, RS256 and the keys with the openssl
command line (through t/integration/jwt_token.py). Each run makes new RSA keys.

    python3 t/unit/proto/auth/jwt_vectors.py > t/unit/proto/auth/jwt_vectors.hpp
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "integration"))
from jwt_token import make_rsa_keypair, make_token, sign_token  # noqa: E402

NOW = 1700000000
SECRET = "unit-test-secret-0123456789-abcdefghij"  # 38 bytes
HS = b'{"alg":"HS256","typ":"JWT"}'


def openssl(*args, stdin=None):
    return subprocess.run(["openssl"] + list(args), input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True, timeout=60).stdout


def claims(stream="live/cam", act="play", exp=NOW + 3600, **more):
    return dict(stream=stream, act=act, exp=exp, **more)


def hs(**kw):
    c = claims(**kw)
    return make_token(c.pop("stream"), c.pop("act"), c.pop("exp"), secret=SECRET, extra=c)


def hs_raw(claims_json, header_json=HS, secret=SECRET):
    return sign_token(header_json, claims_json, secret=secret)


def vectors(tmp):
    private, public = make_rsa_keypair(tmp)
    public_pem = open(public).read()
    small = os.path.join(tmp, "small.pem")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", small)
    ec = os.path.join(tmp, "ec.pem")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec)
    exp = NOW + 3600
    v = [
        ("kSecret", SECRET),
        ("kPublicKeyPem", public_pem),
        ("kPublicKeyPkcs1Pem", openssl("rsa", "-in", private, "-RSAPublicKey_out").decode()),
        ("kSmallPublicKeyPem", openssl("pkey", "-in", small, "-pubout").decode()),
        ("kEcPublicKeyPem", openssl("pkey", "-in", ec, "-pubout").decode()),
        # HS256
        ("kHsPlay", hs()),
        ("kHsPublish", hs(act="publish")),
        ("kHsAnyStream", hs(stream="live/*")),
        ("kHsNestedApp", hs(stream="live/sub/cam")),
        ("kHsExpired", hs(exp=NOW - 42)),
        ("kHsExpiresNow", hs(exp=NOW)),
        ("kHsNbfFuture", hs(nbf=NOW + 30)),
        ("kHsNbfPast", hs(nbf=NOW - 30, iat=NOW - 30, iss="issuer")),
        ("kHsOtherStream", hs(stream="live/other")),
        ("kHsOtherApp", hs(stream="vod/*")),
        ("kHsNoSlash", hs(stream="cam")),
        ("kHsActAdmin", hs(act="admin")),
        ("kHsUnicode", hs(stream="live/cam\u00e9\U0001F600")),  # \u escapes, a surrogate pair
        ("kHsUnicodeRaw", hs_raw(('{"stream":"live/cam\u00e9","act":"play","exp":%d}'
                                  % exp).encode())),
        ("kHsNullInStream", hs(stream="live/cam\u0000x")),
        ("kHsNested", hs_raw(b'{"x":{"a":[1,{"b":null}],"c":"}"},"stream":"live/cam",'
                             b'"act":"play","exp":%d,"aud":["a","b"]}' % exp)),
        ("kHsExpFraction", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d.5}' % NOW)),
        ("kHsExpFractionLater", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d.5}'
                                       % (NOW + 1))),
        ("kHsNbfFraction", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d,"nbf":%d.25}'
                                  % (exp, NOW))),
        ("kHsExpExponent", hs_raw(b'{"stream":"live/cam","act":"play","exp":1.8e9}')),
        ("kHsExpString", hs_raw(b'{"stream":"live/cam","act":"play","exp":"%d"}' % exp)),
        ("kHsExpHuge", hs_raw(b'{"stream":"live/cam","act":"play","exp":1234567890123456789}')),
        ("kHsExpMax", hs_raw(b'{"stream":"live/cam","act":"play","exp":999999999999999999}')),
        ("kHsExpNegative", hs_raw(b'{"stream":"live/cam","act":"play","exp":-5.5}')),
        ("kHsNoExp", hs(exp=None)),
        ("kHsNoStream", hs(stream=None)),
        ("kHsNoAct", hs(act=None)),
        ("kHsStreamNumber", hs(stream=5)),
        ("kHsDuplicateExp", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d,"exp":%d}'
                                   % (exp, exp + 100))),
        ("kHsEscapedDuplicate", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d,'
                                       b'"\\u0065xp":%d}' % (exp, exp))),
        ("kHsDuplicateStream", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d,'
                                      b'"stream":"live/*"}' % exp)),
        ("kHsClaimsNotJson", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d' % exp)),
        ("kHsClaimsArray", hs_raw(b'[{"stream":"live/cam","act":"play","exp":%d}]' % exp)),
        ("kHsClaimsLoneSurrogate", hs_raw(b'{"stream":"live/cam\\ud83d","act":"play",'
                                          b'"exp":%d}' % exp)),
        ("kHsClaimsBadUtf8", hs_raw(b'{"stream":"live/cam\xc0\xaf","act":"play","exp":%d}'
                                    % exp)),
        ("kHsDeep", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d,"x":%s%s}'
                           % (exp, b"[" * 100, b"]" * 100))),
        # headers
        ("kHsTypLower", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                               b'{"alg":"HS256","typ":"jwt"}')),
        ("kHsTypMime", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                              b'{"typ":"application/JWT","alg":"HS256","kid":"k1"}')),
        ("kHsNoTyp", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                            b' {"alg" : "HS256"}\r\n')),
        ("kHsTypJose", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                              b'{"alg":"HS256","typ":"JOSE"}')),
        ("kHsCrit", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                           b'{"alg":"HS256","crit":["b64"],"b64":false}')),
        ("kHsNoAlg", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                            b'{"typ":"JWT"}')),
        ("kHsAlgNumber", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                                b'{"alg":256}')),
        ("kHsDuplicateAlg", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                                   b'{"alg":"HS256","alg":"none"}')),
        ("kHsHeaderNotJson", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                                    b'{"alg":"HS256"')),
        ("kHsAlgLower", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                               b'{"alg":"hs256"}')),
        ("kHs512", make_token("live/cam", "play", exp, secret=SECRET, alg="HS512")),
        ("kAlgNone", make_token("live/cam", "play", exp, secret=SECRET, alg="none")),
        ("kAlgNoneSigned", hs_raw(b'{"stream":"live/cam","act":"play","exp":%d}' % exp,
                                  b'{"alg":"none"}')),
        # algorithm confusion: HS256 keyed with the public key's PEM text
        ("kHsKeyedWithPublicKey", make_token("live/cam", "publish", exp, secret=public_pem)),
        # RS256
        ("kRsPlay", make_token("live/cam", "play", exp, private_key_pem_path=private)),
        ("kRsPublishAny", make_token("live/*", "publish", exp, private_key_pem_path=private)),
        ("kRsExpired", make_token("live/cam", "play", NOW - 1, private_key_pem_path=private)),
        ("kRsSmallKey", make_token("live/cam", "play", exp, private_key_pem_path=small)),
    ]
    return v


def literal(text):
    """A C++ string literal, split into pieces of at most 80 characters."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    pieces, cur = [], ""
    for ch in text:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            e = "\\" + ch
        elif ch == "\n":
            e = "\\n"
        elif o < 0x20 or o >= 0x7F:
            e = "\\x%02x" % o if o < 0x100 else None
        else:
            e = ch
        if e is None:
            e = "".join("\\x%02x" % b for b in ch.encode("utf-8"))
            e += '" "'  # a hex escape must not run into the next character
        if len(cur) + len(e) > 80:
            pieces.append(cur)
            cur = ""
        cur += e
        if ch == "\n" and len(cur) > 0:
            pieces.append(cur)
            cur = ""
    if cur or not pieces:
        pieces.append(cur)
    return "\n    ".join('"%s"' % p for p in pieces)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        v = vectors(tmp)
    out = [
        "// Test vectors of jwt_test.cpp, made outside the code under test by",
        "// jwt_vectors.py (python3 hmac, the openssl command line). Do not edit:",
        "//   python3 t/unit/proto/auth/jwt_vectors.py > t/unit/proto/auth/jwt_vectors.hpp",
        "#pragma once",
        "",
        "#include <cstdint>",
        "",
        "namespace jwt_vectors {",
        "",
        "inline constexpr int64_t kNow = %d;" % NOW,
        "inline constexpr int64_t kExp = %d;" % (NOW + 3600),
    ]
    for name, text in v:
        one = "inline constexpr char %s[] = %s;" % (name, literal(text))
        if "\n" in one or len(one) > 100:
            one = "inline constexpr char %s[] =\n    %s;" % (name, literal(text))
        out.append(one)
    out += ["", "}  // namespace jwt_vectors", ""]
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
