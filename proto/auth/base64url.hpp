// base64url without padding, the encoding of every part of a JWS compact
// token (RFC 7515 section 2 "Base64url Encoding", built on RFC 4648 section 5).
//
// The decoder is strict, so that one token has exactly one spelling: only the
// 64 characters A-Z a-z 0-9 '-' '_', no '=' padding, no white space, a length
// that is not 1 modulo 4, and zero bits in the unused low bits of the last
// character (RFC 4648 section 3.5, "canonical encoding"). Pure and bounded:
// the output is at most 3/4 of the input.
#pragma once

#include <string>
#include <string_view>

namespace srs::proto::auth {

// Decodes `in` into `out` (replaced); false, with `out` cleared, on any input
// the rules above refuse. The empty input decodes to the empty output.
bool base64url_decode(std::string_view in, std::string* out);

// The canonical encoding of `in`: no padding, no line breaks.
std::string base64url_encode(std::string_view in);

}  // namespace srs::proto::auth
