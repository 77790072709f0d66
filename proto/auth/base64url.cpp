// base64url without padding (see base64url.hpp): RFC 4648 section 5 alphabet,
// RFC 7515 section 2 without '=', canonical (RFC 4648 section 3.5).
#include "proto/auth/base64url.hpp"

#include <cstdint>

namespace srs::proto::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit value of one character, or -1 outside the URL-safe alphabet.
int sextet(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

bool base64url_decode(std::string_view in, std::string* out) {
  out->clear();
  // A last group of 1 character carries only 6 bits: not a whole byte.
  if (in.size() % 4 == 1) return false;
  out->reserve(in.size() / 4 * 3 + 2);
  uint32_t bits = 0;  // pending bits, the newest in the low end
  int nbits = 0;
  for (char c : in) {
    int v = sextet(c);
    if (v < 0) return out->clear(), false;
    bits = (bits << 6) | uint32_t(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out->push_back(char((bits >> nbits) & 0xFF));
      bits &= (1u << nbits) - 1;
    }
  }
  // 2 or 4 bits left over after the last byte must be zero (canonical).
  if (bits != 0) return out->clear(), false;
  return true;
}

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : in) {
    bits = (bits << 8) | uint8_t(c);
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(bits >> nbits) & 63]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(kAlphabet[(bits << (6 - nbits)) & 63]);
  return out;
}

}  // namespace srs::proto::auth
