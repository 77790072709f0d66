// Length-prefixed NAL units and their conversion to Annex B byte streams.
#include "proto/codec/nalu.hpp"

#include <cstring>

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

bool LengthPrefixedNalus::next(std::span<const uint8_t>& nalu) noexcept {
  if (!status_.is_ok() || pos_ == data_.size()) return false;
  if (length_size_ != 1 && length_size_ != 2 && length_size_ != 4) {
    status_ = Status::fail(Errc::kInvalid, "NALU length size is not 1, 2 or 4");
    return false;
  }
  if (data_.size() - pos_ < length_size_) {
    status_ = Status::fail(Errc::kInvalid, "NALU length prefix truncated");
    return false;
  }
  uint32_t size = 0;
  for (unsigned i = 0; i < length_size_; ++i) size = (size << 8) | data_[pos_ + i];
  pos_ += length_size_;
  if (size > data_.size() - pos_) {
    status_ = Status::fail(Errc::kInvalid, "NALU size runs past the payload");
    return false;
  }
  nalu = data_.subspan(pos_, size);
  pos_ += size;
  return true;
}

Result<size_t> annexb_size(std::span<const uint8_t> payload, unsigned length_size) noexcept {
  LengthPrefixedNalus it(payload, length_size);
  size_t total = 0;
  std::span<const uint8_t> nalu;
  while (it.next(nalu)) total += sizeof kAnnexbStartCode + nalu.size();
  if (!it.status().is_ok()) return it.status();
  return total;
}

Result<size_t> to_annexb(std::span<const uint8_t> payload, unsigned length_size,
                         std::span<uint8_t> out) noexcept {
  LengthPrefixedNalus it(payload, length_size);
  size_t used = 0;
  std::span<const uint8_t> nalu;
  while (it.next(nalu)) {
    if (out.size() - used < sizeof kAnnexbStartCode + nalu.size()) {
      return Status::fail(Errc::kTooLarge, "Annex B output buffer too small");
    }
    std::memcpy(out.data() + used, kAnnexbStartCode, sizeof kAnnexbStartCode);
    used += sizeof kAnnexbStartCode;
    if (!nalu.empty()) std::memcpy(out.data() + used, nalu.data(), nalu.size());
    used += nalu.size();
  }
  if (!it.status().is_ok()) return it.status();
  return used;
}

}  // namespace srs::proto::codec
