// What `srs -V` prints.
#include "base/version.hpp"

#include <event2/event.h>
#include <openssl/crypto.h>

#ifndef SRS_BUILD_FLAGS
#define SRS_BUILD_FLAGS "unknown"
#endif
#ifndef SRS_YAML_CPP_VERSION
#define SRS_YAML_CPP_VERSION "unknown"
#endif
#ifndef SRS_ALLOCATOR
#define SRS_ALLOCATOR "unknown"
#endif
#ifndef SRS_COMPILER
#define SRS_COMPILER "unknown"
#endif

namespace srs::base {

std::string build_description() {
  std::string s;
  s += std::string(kServerName) + " " + kVersion + " (a prefork live streaming server)\n";
  s += std::string("compiler: ") + SRS_COMPILER + "\n";
  s += std::string("flags: ") + SRS_BUILD_FLAGS + "\n";
  s += std::string("libevent: ") + event_get_version() + "\n";
  s += std::string("openssl: ") + OpenSSL_version(OPENSSL_VERSION) + "\n";
  s += std::string("yaml-cpp: ") + SRS_YAML_CPP_VERSION + "\n";
#if defined(__SANITIZE_ADDRESS__)
  s += "allocator: system (AddressSanitizer)\n";
#else
  s += "allocator: " SRS_ALLOCATOR "\n";
#endif
  return s;
}

}  // namespace srs::base
