// ChunkWriter: RTMP 1.0 section 5.3.1 chunk headers around payload that
// lives elsewhere.
#include "proto/rtmp/chunk_writer.hpp"

#include <algorithm>

#include "base/bytes.hpp"

namespace srs::proto::rtmp {

using base::Errc;
using base::Status;

namespace {

constexpr uint32_t kExtendedMarker = 0xFFFFFF;  // section 5.3.1.3

// Adds one payload piece of `n` bytes starting at `offset` of first+second.
size_t add_payload(std::span<const uint8_t> first, std::span<const uint8_t> second, size_t offset,
                   size_t n, struct iovec* iov) noexcept {
  size_t used = 0;
  if (offset < first.size()) {
    size_t k = std::min(n, first.size() - offset);
    iov[used++] = {const_cast<uint8_t*>(first.data() + offset), k};
    n -= k;
    offset += k;
  }
  if (n > 0) {
    iov[used++] = {const_cast<uint8_t*>(second.data() + (offset - first.size())), n};
  }
  return used;
}

}  // namespace

size_t write_basic_header(uint8_t fmt, uint32_t csid, uint8_t* out) noexcept {
  uint8_t top = static_cast<uint8_t>(fmt << 6);
  if (csid < 64) {
    out[0] = static_cast<uint8_t>(top | csid);
    return 1;
  }
  if (csid < 320) {
    out[0] = top;
    out[1] = static_cast<uint8_t>(csid - 64);
    return 2;
  }
  out[0] = static_cast<uint8_t>(top | 1);
  out[1] = static_cast<uint8_t>((csid - 64) & 0xFF);
  out[2] = static_cast<uint8_t>((csid - 64) >> 8);
  return 3;
}

void ChunkWriter::set_chunk_size(uint32_t size) noexcept {
  chunk_size_ = std::clamp<uint32_t>(size, 1, 0x7FFFFFFF);
}

uint32_t ChunkWriter::chunk_count(uint32_t length) const noexcept {
  if (length == 0) return 1;
  return static_cast<uint32_t>((uint64_t{length} + chunk_size_ - 1) / chunk_size_);
}

size_t ChunkWriter::header_space(uint32_t length) const noexcept {
  return kMaxFirstHeader + size_t{chunk_count(length) - 1} * kMaxContinuationHeader;
}

size_t ChunkWriter::iovec_space(uint32_t length) const noexcept {
  return size_t{chunk_count(length)} * 2 + 1;
}

ChunkWriter::Stream* ChunkWriter::find_or_add(uint32_t csid) {
  for (Stream& s : streams_) {
    if (s.csid == csid) return &s;
  }
  streams_.push_back(Stream{csid});
  return &streams_.back();
}

void ChunkWriter::forget(uint32_t csid) noexcept {
  std::erase_if(streams_, [csid](const Stream& s) { return s.csid == csid; });
}

size_t ChunkWriter::first_header(Stream& s, const MessageHeader& h, uint8_t* out, bool* extended,
                                 uint32_t* ext) noexcept {
  // Section 5.3.1.2: fmt 0 for the first message of a csid, a new message
  // stream or a timestamp that goes back (a delta is never negative); fmt 1
  // when the length or type changes; fmt 2 when only the timestamp moves;
  // fmt 3 when even the delta repeats one that went on the wire. A fmt-3
  // message never follows fmt 0 directly: peers disagree on its delta then
  // (the spec says the fmt-0 timestamp, nginx-rtmp says 0).
  uint32_t delta = h.timestamp - s.last.timestamp;
  uint8_t fmt = 0;
  if (s.has_last && h.stream_id == s.last.stream_id && delta < 0x80000000u) {
    bool same_shape = h.length == s.last.length && h.type_id == s.last.type_id;
    fmt = !same_shape ? 1 : (s.delta_known && delta == s.delta ? 3 : 2);
  }
  size_t n = write_basic_header(fmt, s.csid, out);
  uint32_t value = fmt == 0 ? h.timestamp : delta;
  *extended = value >= kExtendedMarker;
  *ext = value;
  // Section 5.3.1.3: a value that does not fit in 24 bits is sent as
  // 0xFFFFFF followed by the 4-byte extended timestamp.
  if (fmt < 3) base::store_be24(out + n, std::min(value, kExtendedMarker));
  if (fmt <= 1) {
    base::store_be24(out + n + 3, h.length);
    out[n + 6] = h.type_id;
  }
  if (fmt == 0) base::store_le32(out + n + 7, h.stream_id);
  static constexpr size_t kSizes[4] = {11, 7, 3, 0};
  n += kSizes[fmt];
  if (*extended) {
    base::store_be32(out + n, value);
    n += 4;
  }
  s.delta = fmt == 0 ? 0 : delta;
  s.delta_known = fmt != 0;
  s.last = h;
  s.has_last = true;
  return n;
}

base::Result<size_t> ChunkWriter::write(uint32_t csid, const MessageHeader& header,
                                        std::span<const uint8_t> first,
                                        std::span<const uint8_t> second, uint8_t* scratch,
                                        size_t scratch_len, struct iovec* iov, size_t iov_cap,
                                        size_t* header_used) noexcept {
  if (csid < kCsidMin || csid > kCsidMax) return Status::fail(Errc::kInvalid, "csid out of range");
  if (first.size() + second.size() != header.length || header.length > kMaxMessageLength) {
    return Status::fail(Errc::kInvalid, "payload size differs from the message length");
  }
  if (scratch_len < header_space(header.length) || iov_cap < iovec_space(header.length)) {
    return Status::fail(Errc::kTooLarge, "header scratch or iovec array too small");
  }
  Stream* s = find_or_add(csid);
  bool extended = false;
  uint32_t ext = 0;
  size_t hn = first_header(*s, header, scratch, &extended, &ext);
  size_t used = 0;
  iov[used++] = {scratch, hn};
  size_t offset = 0;
  while (offset < header.length) {
    if (offset > 0) {
      // Section 5.3.1.3: fmt-3 continuations repeat the extended timestamp.
      uint8_t* h = scratch + hn;
      size_t n = write_basic_header(3, csid, h);
      if (extended) base::store_be32(h + n, ext);
      n += extended ? 4 : 0;
      hn += n;
      iov[used++] = {h, n};
    }
    size_t k = std::min<size_t>(chunk_size_, header.length - offset);
    used += add_payload(first, second, offset, k, iov + used);
    offset += k;
  }
  if (header_used != nullptr) *header_used = hn;
  return used;
}

Status ChunkWriter::append(uint32_t csid, const MessageHeader& header,
                           std::span<const uint8_t> payload, std::vector<uint8_t>* out) {
  std::vector<uint8_t> scratch(header_space(header.length));
  std::vector<struct iovec> iov(iovec_space(header.length));
  auto n = write(csid, header, payload, {}, scratch.data(), scratch.size(), iov.data(), iov.size());
  if (!n.is_ok()) return n.status();
  for (size_t i = 0; i < *n; ++i) {
    const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    out->insert(out->end(), p, p + iov[i].iov_len);
  }
  return Status::ok();
}

Status ChunkWriter::append_control(const ControlMessage& msg, std::vector<uint8_t>* out) {
  uint8_t payload[kControlMaxPayload];
  size_t n = encode_control(msg, payload);
  if (n == 0) return Status::fail(Errc::kInvalid, "not a protocol control message type");
  MessageHeader h{0, static_cast<uint32_t>(n), msg.type_id, 0};
  return append(kCsidProtocolControl, h, {payload, n}, out);
}

Status ChunkWriter::append_user_control(const UserControl& msg, std::vector<uint8_t>* out) {
  uint8_t payload[kUserControlMaxPayload];
  size_t n = encode_user_control(msg, payload);
  MessageHeader h{0, static_cast<uint32_t>(n), kTypeUserControl, 0};
  return append(kCsidProtocolControl, h, {payload, n}, out);
}

}  // namespace srs::proto::rtmp
