// amf::Sink: where encoders append bytes, a std::string or a std::vector<uint8_t>.
//
// Passed by value (two pointers); implicitly built from either container so
// every encoder serves both without templates in the headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace srs::proto::amf {

class Sink {
 public:
  Sink(std::string& out) noexcept : str_(&out) {}           // NOLINT: implicit by design
  Sink(std::vector<uint8_t>& out) noexcept : vec_(&out) {}  // NOLINT: implicit by design

  void append(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    if (str_ != nullptr) {
      str_->append(reinterpret_cast<const char*>(p), size);
      return;
    }
    vec_->insert(vec_->end(), p, p + size);
  }
  void push(uint8_t byte) {
    if (str_ != nullptr) {
      str_->push_back(static_cast<char>(byte));
      return;
    }
    vec_->push_back(byte);
  }

 private:
  std::string* str_ = nullptr;
  std::vector<uint8_t>* vec_ = nullptr;
};

}  // namespace srs::proto::amf
