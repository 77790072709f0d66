// Who may use the HTTP API (and /metrics): the allow list of addresses
// (http_api.allow) and HTTP Basic authentication (http_api.auth, RFC 7617).
// ApiServer::handle asks these before any route runs: a refused address
// gets 403, missing or wrong credentials 401 with WWW-Authenticate.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conf/config.hpp"

namespace srs::worker {

// True when `allow` is empty (anyone) or one of its ranges holds `ip`.
bool address_allowed(const std::vector<conf::Cidr>& allow, std::string_view ip) noexcept;

// True when authentication is off, or `authorization` (the header's value)
// is "Basic base64(username:password)" with the configured pair.
bool credentials_ok(const conf::HttpApiAuth& auth, std::string_view authorization);

// The WWW-Authenticate header line (with "\r\n") of a 401 (RFC 7617 2).
std::string basic_challenge();

// RFC 4648 4 base64 with padding; false on any other character.
bool base64_decode(std::string_view in, std::string* out);

}  // namespace srs::worker
