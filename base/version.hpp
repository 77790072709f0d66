// The server's identity: name, version and how this binary was built.
#pragma once

#include <string>

namespace srs::base {

inline constexpr const char kServerName[] = "SRS";
inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionRevision = 0;
inline constexpr const char kVersion[] = "0.1.0";

// "SRS/0.1.0"
inline std::string server_signature() { return std::string(kServerName) + "/" + kVersion; }

// The multi-line text `srs -V` prints: version, compiler, flags, libraries.
std::string build_description();

}  // namespace srs::base
