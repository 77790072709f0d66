// The API's allow list and Basic authentication (see api_access.hpp).
#include "worker/api/api_access.hpp"

namespace srs::worker {
namespace {

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Compares without stopping at the first difference, so the time taken
// does not tell how much of a guessed password was right.
bool same_secret(std::string_view a, std::string_view b) noexcept {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    uint8_t other = i < b.size() ? uint8_t(b[i]) : 0;
    diff |= unsigned(uint8_t(a[i]) ^ other);
  }
  return diff == 0;
}

bool ascii_iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? char(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool address_allowed(const std::vector<conf::Cidr>& allow, std::string_view ip) noexcept {
  if (allow.empty()) return true;
  for (const conf::Cidr& range : allow) {
    if (conf::cidr_contains(range, ip)) return true;
  }
  return false;
}

bool base64_decode(std::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    int v[4];
    for (int k = 0; k < 4; ++k) v[k] = base64_value(in[i + size_t(k)]);
    bool pad2 = last && in[i + 2] == '=' && in[i + 3] == '=';
    bool pad1 = last && !pad2 && in[i + 3] == '=';
    if (v[0] < 0 || v[1] < 0 || (v[2] < 0 && !pad2) || (v[3] < 0 && !pad1 && !pad2)) return false;
    out->push_back(char((v[0] << 2) | (v[1] >> 4)));
    if (!pad2) out->push_back(char(((v[1] & 15) << 4) | (v[2] >> 2)));
    if (!pad1 && !pad2) out->push_back(char(((v[2] & 3) << 6) | v[3]));
  }
  return true;
}

// RFC 7617 2: credentials = "Basic" 1*SP token68, token68 = base64(user ":" pass).
bool credentials_ok(const conf::HttpApiAuth& auth, std::string_view authorization) {
  if (!auth.enabled) return true;
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return false;
  if (!ascii_iequal(authorization.substr(0, space), "basic")) return false;
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  std::string pair;
  if (!base64_decode(token, &pair)) return false;
  size_t colon = pair.find(':');  // the user-id cannot hold ':' (RFC 7617 2)
  if (colon == std::string::npos) return false;
  bool user_ok = same_secret(std::string_view(pair).substr(0, colon), auth.username);
  bool pass_ok = same_secret(std::string_view(pair).substr(colon + 1), auth.password);
  return user_ok && pass_ok;
}

std::string basic_challenge() {
  return "WWW-Authenticate: Basic realm=\"SRS\", charset=\"UTF-8\"\r\n";
}

}  // namespace srs::worker
