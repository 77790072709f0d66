// The verdict of an HTTP callback's reply (SRS's SrsHttpHooks::do_post, the
// contract every SRS callback server already speaks): the reply accepts only
// when the status is 200 or 201 and the body, a JSON text (RFC 8259), is the
// number 0 or an object whose member "code" is the integer 0. Anything else
// rejects: another status, an empty body, {"code":1}, the string "0" (SRS
// issue 3215), a fraction, text that is not JSON.
//
// Pure, bounded (nesting depth kMaxDepth); it is what
// t/fuzz/hook_reply_fuzz.cpp eats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace srs::proto::http {

enum class HookReply : uint8_t {
  kAccept,     // 200/201 and 0 or {"code":0}
  kBadStatus,  // not 200 or 201
  kEmpty,      // no body (or only white space)
  kRefused,    // valid JSON saying no: a number other than 0, "code" not 0, no "code"
  kMalformed,  // not a JSON number or object
};

inline constexpr int kMaxDepth = 32;

HookReply parse_hook_reply(int status, std::string_view body) noexcept;

// The forward backend's answer (SRS's on_forward, research/srs.md 1.8):
// the same verdict, and on kAccept the strings of {"data":{"urls":[...]}}
// in `urls` (at most 64; none otherwise). Bounded like the verdict.
HookReply parse_forward_reply(int status, std::string_view body, std::vector<std::string>* urls);

// "accepted", "HTTP status is not 200 or 201", ...: for log lines.
const char* hook_reply_text(HookReply r) noexcept;

}  // namespace srs::proto::http
