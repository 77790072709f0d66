// Status and Result<T>: the error values every layer returns.
//
// A Status never allocates: it carries a code, an errno (for system calls) and
// a pointer to a static message, so it is safe on the hot path. Code that
// needs a formatted, detailed message (configuration errors, log lines) builds
// it where it reports, not inside the Status. "Need more bytes" and "would
// block" are states of a parser or a socket, not errors: they have their own
// enums in the code that produces them.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace srs::base {

enum class Errc : unsigned char {
  kOk = 0,
  kInvalid,      // malformed input (network bytes, a file, an argument)
  kTooLarge,     // a bounded limit was exceeded
  kUnsupported,  // well-formed but not something we implement
  kNotFound,
  kExists,
  kClosed,       // peer or object closed
  kTimeout,
  kRejected,     // refused by policy (a callback, a takeover rule)
  kSystem,       // a system call failed; errno() says why
};

const char* errc_name(Errc code) noexcept;

class [[nodiscard]] Status {
 public:
  constexpr Status() noexcept = default;

  static constexpr Status ok() noexcept { return Status(); }
  // `what` must have static storage duration (a string literal).
  static constexpr Status fail(Errc code, const char* what) noexcept {
    return Status(code, what, 0);
  }
  // A failed system call: `call` names it ("bind", "mmap"), `err` is errno.
  static Status sys(const char* call, int err = errno) noexcept {
    return Status(Errc::kSystem, call, err);
  }

  constexpr bool is_ok() const noexcept { return code_ == Errc::kOk; }
  constexpr Errc code() const noexcept { return code_; }
  constexpr int sys_errno() const noexcept { return errno_; }
  constexpr const char* what() const noexcept { return what_ ? what_ : ""; }

  // "bind() failed (98: Address already in use)" or "invalid: chunk size out of range".
  std::string to_string() const;

 private:
  constexpr Status(Errc code, const char* what, int err) noexcept
      : code_(code), errno_(err), what_(what) {}

  Errc code_ = Errc::kOk;
  int errno_ = 0;
  const char* what_ = nullptr;
};

// Result<T>: a value or a failed Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(status) {}      // NOLINT: must be a failure

  bool is_ok() const noexcept { return std::holds_alternative<T>(v_); }
  const Status& status() const noexcept {
    static constexpr Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace srs::base
