// Test vectors of jwt_test.cpp, made outside the code under test by
// jwt_vectors.py (python3 hmac, the openssl command line). Do not edit:
//   python3 t/unit/proto/auth/jwt_vectors.py > t/unit/proto/auth/jwt_vectors.hpp
#pragma once

#include <cstdint>

namespace jwt_vectors {

inline constexpr int64_t kNow = 1700000000;
inline constexpr int64_t kExp = 1700003600;
inline constexpr char kSecret[] = "unit-test-secret-0123456789-abcdefghij";
inline constexpr char kPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2OAMYnkIZAc0tmSrXT62\n"
    "/AFmtt6DKxLR/BqpxKIQJJu1JHPGwp4OxhnCoAYBF5hljeK5Cxq3EsyBlOgIf9vA\n"
    "Bvz+Bc+gda8Bc49mb8E5rzRNdFt0lhGNcgUpYGwAfc+hqBuBmLYk0cXA1JX4wSNN\n"
    "xP07A94elmxodOcgEzvzfG8FRbOYMmWZrtEd7s38uzsWllHu5ud24hPSlxQE5dmg\n"
    "FvMhJ7IZeqd2MgcfXCkXQCUwhSPA3yOgdjaFy3toMGhnw2LEF7I8BbZ8iIpi9ZwM\n"
    "VRAeUcuNxbHYIah+1rJoYS3ETSraVQ1maCOfQBhZp4l6I3kv4l6hMhi6mFGL95Pz\n"
    "LwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
inline constexpr char kPublicKeyPkcs1Pem[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEA2OAMYnkIZAc0tmSrXT62/AFmtt6DKxLR/BqpxKIQJJu1JHPGwp4O\n"
    "xhnCoAYBF5hljeK5Cxq3EsyBlOgIf9vABvz+Bc+gda8Bc49mb8E5rzRNdFt0lhGN\n"
    "cgUpYGwAfc+hqBuBmLYk0cXA1JX4wSNNxP07A94elmxodOcgEzvzfG8FRbOYMmWZ\n"
    "rtEd7s38uzsWllHu5ud24hPSlxQE5dmgFvMhJ7IZeqd2MgcfXCkXQCUwhSPA3yOg\n"
    "djaFy3toMGhnw2LEF7I8BbZ8iIpi9ZwMVRAeUcuNxbHYIah+1rJoYS3ETSraVQ1m\n"
    "aCOfQBhZp4l6I3kv4l6hMhi6mFGL95PzLwIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";
inline constexpr char kSmallPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDt4vYDGBKveInxdgpvbN6Z48ZN\n"
    "HBaCrqoEg9Q8LLHFXeCS1mSVknUpT54lD0T6ggYSBHMkT1nFzSV7zox1V1B6RYFT\n"
    "6TsomGzkUFZaribv/1G9GMDoo3dw9vMW9PjAJ4+HbYmgLUeEF30CdY2/eFo4WnD3\n"
    "dGIJ2wuNyGsYJjI2CwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
inline constexpr char kEcPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9cUc++WTbU4TFJ5KjAm0SymXYac+\n"
    "bp43RtL1EfZ2Dhyc5JN1gFqowEe9tQ306FBhF76FLTIk2bNtFNOy5Dsalg==\n"
    "-----END PUBLIC KEY-----\n";
inline constexpr char kHsPlay[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDB9.ZZ6a-1yBk01-XTJ_Jm76axXzQEVksdq0y1bnozADu0U";
inline constexpr char kHsPublish[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InB1Ymx"
    "pc2giLCJleHAiOjE3MDAwMDM2MDB9.cLuHmCcr8HUFC4V18zTi2FWXVE80WZMMLffLxq5DYPo";
inline constexpr char kHsAnyStream[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlLyoiLCJhY3QiOiJwbGF5Iiw"
    "iZXhwIjoxNzAwMDAzNjAwfQ.PNS0tIJYt1hhv6k8J9YDDmr9TXugMwnY2nQgULGpYe4";
inline constexpr char kHsNestedApp[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL3N1Yi9jYW0iLCJhY3QiOiJ"
    "wbGF5IiwiZXhwIjoxNzAwMDAzNjAwfQ.oZw5M60Y5W9vvT-mnPHk-NFteTd_OxRzHOl9sFfFsXA";
inline constexpr char kHsExpired[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE2OTk5OTk5NTh9.9CKGNglSu_TOjdFhSNev31CufrBBwC9R6pOrjtPsoRA";
inline constexpr char kHsExpiresNow[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDAwMDB9.G4EOiNx28H6hCzEVAlyG6KLqVbsYqvRcP4qu71Gh8qE";
inline constexpr char kHsNbfFuture[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsIm5iZiI6MTcwMDAwMDAzMH0.QEG0_bnVAkjU0twxNKqoIj-Yx1igMFs"
    "rQrKzRNjv2ms";
inline constexpr char kHsNbfPast[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsIm5iZiI6MTY5OTk5OTk3MCwiaWF0IjoxNjk5OTk5OTcwLCJpc3MiOiJ"
    "pc3N1ZXIifQ.A-L1qO2C8u3B-qD_EBjTo-LR3jIVPQcCoB4WJBr-T7Y";
inline constexpr char kHsOtherStream[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL290aGVyIiwiYWN0IjoicGx"
    "heSIsImV4cCI6MTcwMDAwMzYwMH0.-FZK3bJ1XyZJCJSLeztDD_owLpx_-64vvFeQgcKen4o";
inline constexpr char kHsOtherApp[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJ2b2QvKiIsImFjdCI6InBsYXkiLCJ"
    "leHAiOjE3MDAwMDM2MDB9.DxXpPT1LlcmfLZFRTbIrICUTo40ZdBjtFa941GF7kDU";
inline constexpr char kHsNoSlash[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJjYW0iLCJhY3QiOiJwbGF5IiwiZXh"
    "wIjoxNzAwMDAzNjAwfQ.VOL4aJADyaHoc2d4Hf2-_GIggP153BTO0TEhqHn66-Q";
inline constexpr char kHsActAdmin[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6ImFkbWl"
    "uIiwiZXhwIjoxNzAwMDAzNjAwfQ.8raRcPFjXBuwYMPyq46k62mWl90zRApq-eZBHpx57l4";
inline constexpr char kHsUnicode[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbVx1MDBlOVx1ZDgzZFx"
    "1ZGUwMCIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwMDM2MDB9.wrZH80tIfgtSROueHzSYRmFTefABBe"
    "TasC7EClaGXZ4";
inline constexpr char kHsUnicodeRaw[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbcOpIiwiYWN0IjoicGx"
    "heSIsImV4cCI6MTcwMDAwMzYwMH0.n0kSr37TP4tiC7HN52qkf6JVg6Mz--hImjuMOT0wWL8";
inline constexpr char kHsNullInStream[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbVx1MDAwMHgiLCJhY3Q"
    "iOiJwbGF5IiwiZXhwIjoxNzAwMDAzNjAwfQ.DmPhyOoI4hM9BM-XkHb4MqTYqCTaTngFBNeLjsdkrz4";
inline constexpr char kHsNested[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ4Ijp7ImEiOlsxLHsiYiI6bnVsbH1dLCJjIjoifSJ"
    "9LCJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwMDM2MDAsImF1ZCI6WyJ"
    "hIiwiYiJdfQ.GB6avxmdUNQm1HHTESNav_fuexN65i7SrQA6O4PKV0A";
inline constexpr char kHsExpFraction[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDAwMDAuNX0.SSwBLyceKUIx8Gm2sX8yXxwFSNwxP-p9R_cLsj5E_30";
inline constexpr char kHsExpFractionLater[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDAwMDEuNX0.daw50uMMIjvoudMaEgFinMqrCEBbAC9OC3aZJlTO45k";
inline constexpr char kHsNbfFraction[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsIm5iZiI6MTcwMDAwMDAwMC4yNX0.uNoejr3X-Z3ziMOWOd0LLVwa05w"
    "MAvmzJdMAYvJRG0A";
inline constexpr char kHsExpExponent[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjEuOGU5fQ.akX1qTFkPGwR4V5A_FE0LrwFTOd2cjca-6CuNndgpHs";
inline constexpr char kHsExpString[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOiIxNzAwMDAzNjAwIn0.-wJ--eczYcceTnLihQq0tMAoqrXVCTWSE8tD3oF6rlY";
inline constexpr char kHsExpHuge[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjEyMzQ1Njc4OTAxMjM0NTY3ODl9.A9TlmllV5ihajFkq5V1l_owWN4Yhiv8AtJYOEGEKQ7"
    "E";
inline constexpr char kHsExpMax[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjk5OTk5OTk5OTk5OTk5OTk5OX0.N3h0UJ83mOMioeqJfafEnUP6jSWKPs5oCj0rZBBHDeY";
inline constexpr char kHsExpNegative[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOi01LjV9.BlMSR0CXpLDmRB1GqJCwIKMgapkidgvFom3NDyajUBc";
inline constexpr char kHsNoExp[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "ifQ.ejWDRMtUS0QRgimlj5t6kuMaNmStbL1Zpo_NEj1DD4M";
inline constexpr char kHsNoStream[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY3QiOiJwbGF5IiwiZXhwIjoxNzAwMDAzNjAwfQ."
    "6One_YdlXBWL4Rk6DJsFlcRe7XqTju_YcuVM8WDzx08";
inline constexpr char kHsNoAct[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImV4cCI6MTcwMDA"
    "wMzYwMH0.9-bUvxgIvdSRGsK3v7McNsCsHrVGY7jd7zbDLixyauA";
inline constexpr char kHsStreamNumber[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOjUsImFjdCI6InBsYXkiLCJleHAiOjE"
    "3MDAwMDM2MDB9._LaWbeu0yPfgbVn_NcamQUPgqwt0khqLV9zT6rcluK0";
inline constexpr char kHsDuplicateExp[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsImV4cCI6MTcwMDAwMzcwMH0.-aq1jt2DzeO4_0doPANLBrsHBqZ4qiP"
    "PM9_ps6M6zbE";
inline constexpr char kHsEscapedDuplicate[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsIlx1MDA2NXhwIjoxNzAwMDAzNjAwfQ.UE26sjsU3Bf8AlYhYADeBZB_"
    "L0y2ijxgECgmeTXUYRU";
inline constexpr char kHsDuplicateStream[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsInN0cmVhbSI6ImxpdmUvKiJ9.72uxqFq65P8HPOteNTGyPdHYd5GF3h"
    "7oZVTlwnZiwB0";
inline constexpr char kHsClaimsNotJson[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDA.SiROTSMJcH-xLYj4XgWdJzLZq2bqttOlOJnJZwOd3Aw";
inline constexpr char kHsClaimsArray[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.W3sic3RyZWFtIjoibGl2ZS9jYW0iLCJhY3QiOiJwbGF"
    "5IiwiZXhwIjoxNzAwMDAzNjAwfV0.51zXtl4SPcidM9hAcHFid_6QWWJzcuSbmjrh1SQvJ-4";
inline constexpr char kHsClaimsLoneSurrogate[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbVx1ZDgzZCIsImFjdCI"
    "6InBsYXkiLCJleHAiOjE3MDAwMDM2MDB9.JCLSL9D-GZ7xiA09eyY37q-sm1Pw9eeSIqLM1hzRZRE";
inline constexpr char kHsClaimsBadUtf8[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbcCvIiwiYWN0IjoicGx"
    "heSIsImV4cCI6MTcwMDAwMzYwMH0.X42SBTMiRMG-R2UtPW4dhMN4hbnGD7nbgOrDnDmsOsU";
inline constexpr char kHsDeep[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDAsIngiOltbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1t"
    "bW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1t"
    "bW1tdXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1"
    "dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dfQ.hhhKzGIaG-q-a_KgW3xd"
    "PFj6C4NzHbjrLe7Y1r_H68Q";
inline constexpr char kHsTypLower[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6Imp3dCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDB9.yC8uDCOOYTst9gzFl1IzQG6i7DxkxQhswUxx_fs93AQ";
inline constexpr char kHsTypMime[] =
    "eyJ0eXAiOiJhcHBsaWNhdGlvbi9KV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdHJlYW0i"
    "OiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwMDM2MDB9.IHx-boisF4whfYaF21S81ch"
    "ougQLxlxdHpicsNi9Y2o";
inline constexpr char kHsNoTyp[] =
    "IHsiYWxnIiA6ICJIUzI1NiJ9DQo.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAi"
    "OjE3MDAwMDM2MDB9.E2edQfYiPi3KqgFOFFYLsDZJstxBHuE7NgDFNLK_-vk";
inline constexpr char kHsTypJose[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpPU0UifQ.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsY"
    "XkiLCJleHAiOjE3MDAwMDM2MDB9.v24qV_A1gcx-3xMdfgbp_2aTD7-kZ1nvsDE3rb2yqXA";
inline constexpr char kHsCrit[] =
    "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9.eyJzdHJlYW0iOiJsaXZlL2N"
    "hbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwMDM2MDB9.j-WR78vfSuNM1ywLsOuQilNEBCuHLRsJeS"
    "RJtKjOnQo";
inline constexpr char kHsNoAlg[] =
    "eyJ0eXAiOiJKV1QifQ.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwM"
    "DM2MDB9.O8d3JCABc4X3iNdWxhF8GTRbEAR4hGcW-ESjNAKn2hQ";
inline constexpr char kHsAlgNumber[] =
    "eyJhbGciOjI1Nn0.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAwMDM2"
    "MDB9.2zFy3QshZ-5Pbp5y9uT7MzTKIRB9OrFFVkFJN_A6A48";
inline constexpr char kHsDuplicateAlg[] =
    "eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsY"
    "XkiLCJleHAiOjE3MDAwMDM2MDB9.lsFw50toIy7K_drl94TatDMs3a7sD_LLaSSJ2TiHAGk";
inline constexpr char kHsHeaderNotJson[] =
    "eyJhbGciOiJIUzI1NiI.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAw"
    "MDM2MDB9.eAK0teTyHYH6JgBmK7WiPluBMYyxVcVaVTzMdLJsN0I";
inline constexpr char kHsAlgLower[] =
    "eyJhbGciOiJoczI1NiJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDA"
    "wMDM2MDB9.LM8edl-xy7pKuTOO8XI4JbPn243jbtBXF3bZhq8Sm2U";
inline constexpr char kHs512[] =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDB9.CgDVtQ9ho0i9dqtBZjuRE2ZToebejbpTEXlaQUlKuZ4";
inline constexpr char kAlgNone[] =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXki"
    "LCJleHAiOjE3MDAwMDM2MDB9.";
inline constexpr char kAlgNoneSigned[] =
    "eyJhbGciOiJub25lIn0.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXkiLCJleHAiOjE3MDAw"
    "MDM2MDB9.2EiKccuw8tKtSKcECaft9J9Ga6YtEGspuNId72McUgU";
inline constexpr char kHsKeyedWithPublicKey[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InB1Ymx"
    "pc2giLCJleHAiOjE3MDAwMDM2MDB9.LChVMfe2Npg8NX1inMppBrpDy5ThRjCdZr95Ly6NP6E";
inline constexpr char kRsPlay[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDB9.i8DZ-QcHzxVS9Zkegjf9VmHvJNKr0n4SCbl70IXIz3zFIzxkNX2_JO"
    "1KQLoaH_E0LtSWg79GemvAY6eQCHT4tmgdymHua7yXhsIp1J1s8Edaa5g0HtIxY5PChXQRnbh7rRwzxp"
    "ZOQd_7OHuuYLwIMEAdmaGKDy3M8ICzxhbxPGuf5IlPdli0hvNC437ISPVywUWPxl0WIcvJwX0khFBGmg"
    "wpkmvJq0-2CUccajlNdjsWwBr3dGHQDy5jIY8xjOy5HIF_CgQx6HOMY990eJ4mMnaPS1Zn7cYHTVTOnJ"
    "Xa61MDNU08-WuqOcibC8CDzOJzxnFVFpco6lGXH8O6K0rGUA";
inline constexpr char kRsPublishAny[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlLyoiLCJhY3QiOiJwdWJsaXN"
    "oIiwiZXhwIjoxNzAwMDAzNjAwfQ.T6w-fqVgK7SdMvEMAE9Ve5QJYs2Ke9fkA3xgSL6ei5Oe2_DwVzJP"
    "TJP369i0wcyP-LcR6bjmLrSI72Sqcxe8aLLPPX_16nZ885F8V7pTQBLdIIyBQvJdqGgJHKX5LMaiSc97"
    "cJynhEa5HGoEARFHheNY4BuNMH0MV25sgjIQUm5zpxTnabhsZMi2pzBh4yf9N3hCpq6biBdxVBU58P9Z"
    "qWiEEhHtd5MvYNUVFGlpJT6uPH0mH-fBHad9ecKCCkrcqNEGw3kqv6uaCQZeNsYzPieu2ThLpWLEMKZP"
    "OpyaCfb6aHXaYfxhcRT4-N44_bS0gY-kdb2WHrQXwTne3HZY0w";
inline constexpr char kRsExpired[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE2OTk5OTk5OTl9.anM47YdzXtun12GvWhfIiR3pjiVkk0vvODCX-sFeL9ASS4BO7ojb6k"
    "DTE_zWLINfNL5hMW47o6NeWD-O3gfDzdvdPMhCgFP5vNxjWQtvk3Nvm6-F4Y-SpJxh5XoAMdgPWkF4oC"
    "YvVyT4uT-MF2V7tocGpI8dfRyVx-7NYlaMvN_uyIL5udzJ9emJC7m_BmB6-tmd95KtqA2ueZ5jwHqx5s"
    "oDFlUq5jNbF7CAcYZB-FQmIxVDRLd1xMiVCXwE-6WWpzi_yjijlOveuZbFReb3J6SCQlDdFkRItXIQLt"
    "thaPiHGgSLAUqgOyPVA3G97f4cuvqYw4tz0odzk80EHHVB6g";
inline constexpr char kRsSmallKey[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdHJlYW0iOiJsaXZlL2NhbSIsImFjdCI6InBsYXk"
    "iLCJleHAiOjE3MDAwMDM2MDB9.2Nv-Y4TUUkxNWJygx7rU578otXTH2wAeb2JryWfkf55xYqf7WLjps3"
    "YMUpmxKh8oNLK5Zv6fNYL1CuDSRIqPIcNJ1NJKJpdbLLydyOVfpNBn8v7_pO1HHN4HFIWwXTPXVwBm38"
    "lG9HrvVRhdfjAYn70qcp56ReqFSws8hS1ZLfE";

}  // namespace jwt_vectors
