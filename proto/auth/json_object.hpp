// A strict reader for the small JSON objects of a JWT: the JOSE header
// (RFC 7515 section 4) and the claims set (RFC 7519 section 4). It reads one
// object (RFC 8259 section 4) and hands back its members, names and string
// values decoded to UTF-8; nested objects and arrays are checked and skipped.
//
// Strict where JOSE asks for it, bounded everywhere:
//   - the text must be UTF-8 (RFC 8259 section 8.1): no overlong forms, no
//     encoded surrogates, nothing above U+10FFFF;
//   - \uXXXX escapes decode to UTF-8; a UTF-16 surrogate must come in a pair
//     (section 7); names are compared after unescaping (RFC 7515 section 5.3);
//   - a name appearing twice is refused (RFC 7515 section 4 and RFC 7519
//     section 4 let a reader refuse them; it is the safe reading);
//   - nesting deeper than kMaxJsonDepth and more than kMaxJsonMembers members
//     are refused; the recursion is bounded by the depth.
// Errors are static texts (base::Status, kInvalid or kTooLarge); no allocation
// beyond the members themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"

namespace srs::proto::auth {

inline constexpr int kMaxJsonDepth = 16;       // the top object is depth 1
inline constexpr size_t kMaxJsonMembers = 64;  // members of the top object

enum class JsonKind : uint8_t { kString, kNumber, kTrue, kFalse, kNull, kObject, kArray };

struct JsonMember {
  std::string name;  // decoded
  JsonKind kind = JsonKind::kNull;
  // kString: the decoded value; kNumber: the number as written (a valid
  // RFC 8259 section 6 number); other kinds: empty.
  std::string text;
};

// Reads `text`, which must be one JSON object with optional white space
// around it, into `members` (replaced, in order of appearance).
[[nodiscard]] base::Status read_json_object(std::string_view text,
                                            std::vector<JsonMember>* members);

// The member called `name`, or nullptr.
const JsonMember* find_json_member(const std::vector<JsonMember>& members,
                                   std::string_view name) noexcept;

}  // namespace srs::proto::auth
