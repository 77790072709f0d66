// Status formatting (cold path only).
#include "base/status.hpp"

#include <cstdio>

namespace srs::base {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kInvalid: return "invalid";
    case Errc::kTooLarge: return "too large";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kNotFound: return "not found";
    case Errc::kExists: return "exists";
    case Errc::kClosed: return "closed";
    case Errc::kTimeout: return "timeout";
    case Errc::kRejected: return "rejected";
    case Errc::kSystem: return "system error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  char buf[256];
  if (code_ == Errc::kSystem) {
    std::snprintf(buf, sizeof buf, "%s() failed (%d: %s)", what(), errno_, std::strerror(errno_));
  } else {
    std::snprintf(buf, sizeof buf, "%s: %s", errc_name(code_), what());
  }
  return buf;
}

}  // namespace srs::base
