// The authority part of a URL (RFC 3986 section 3.2) as the configuration's
// URLs use it: "host", "host:port", "[v6]" or "[v6]:port"; no user
// information. Shared by callback URLs (hook_url.hpp) and RTMP URLs
// (rtmp_url.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

// Sets *host (without brackets) and, when the text names one, *port.
// Returns an empty string on success, else what is wrong.
std::string parse_authority(std::string_view text, std::string* host, uint16_t* port);

// True for a character that has no place in a URL written in a
// configuration file (spaces, controls).
bool bad_url_char(char c);

}  // namespace srs::conf
