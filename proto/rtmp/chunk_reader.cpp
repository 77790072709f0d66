// ChunkReader: RTMP 1.0 section 5.3 (chunking) and 5.4 (protocol control).
//
// The header of each chunk is gathered into hdr_ in phases (basic header,
// message header, extended timestamp), each phase telling how many bytes the
// next needs. A message that arrives whole in one chunk (the common case
// with a publisher's large chunk size) is handed out where it lies in the
// caller's bytes; any other payload is copied straight into the chunk
// stream's own reassembly buffer. Nothing is copied twice and no byte is
// looked at before it has arrived, so any TCP split gives the same messages.
#include "proto/rtmp/chunk_reader.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "base/bytes.hpp"

namespace srs::proto::rtmp {

using base::Errc;
using base::Status;

namespace {

// Section 5.3.1.2: message header sizes of fmt 0, 1, 2 and 3.
constexpr size_t kMessageHeaderSize[4] = {11, 7, 3, 0};
constexpr uint32_t kExtendedMarker = 0xFFFFFF;  // section 5.3.1.3

}  // namespace

ChunkReader::ChunkReader(const ChunkReaderLimits& limits) noexcept : limits_(limits) {
  streams_.reserve(std::min<size_t>(limits_.max_chunk_streams, 8));
}

ReadResult ChunkReader::feed(const uint8_t* data, size_t len, size_t* consumed) noexcept {
  *consumed = 0;
  for (;;) {
    if (failed_) return ReadResult::kError;
    bool from_replay = replay_pos_ < replay_len_;
    const uint8_t* p = from_replay ? replay_.data() + replay_pos_ : data + *consumed;
    size_t n = from_replay ? replay_len_ - replay_pos_ : len - *consumed;
    if (n == 0) return ReadResult::kNeedMore;
    size_t used = 0;
    Step r = step(p, n, &used);
    if (from_replay) {
      replay_pos_ += used;
    } else {
      *consumed += used;
      received_ += static_cast<uint32_t>(used);  // wraps at 2^32, section 5.4.3
    }
    if (r == Step::kReplay) push_replay(peeked_.data(), peeked_.size());
    if (r == Step::kMessage) return ReadResult::kMessage;
    if (r == Step::kError) return ReadResult::kError;
    if (r == Step::kMore && !from_replay) return ReadResult::kNeedMore;
  }
}

ChunkReader::Step ChunkReader::step(const uint8_t* p, size_t n, size_t* used) noexcept {
  *used = 0;
  while (*used < n) {
    size_t u = 0;
    Step r = state_ == State::kHeader ? read_header(p + *used, n - *used, &u)
                                      : read_payload(p + *used, n - *used, &u);
    *used += u;
    if (r != Step::kMore) return r;
  }
  return Step::kMore;
}

ChunkReader::Step ChunkReader::read_header(const uint8_t* p, size_t n, size_t* used) noexcept {
  size_t k = std::min(n, hdr_need_ - hdr_len_);
  std::memcpy(hdr_.data() + hdr_len_, p, k);
  hdr_len_ += k;
  *used = k;
  if (hdr_len_ < hdr_need_) return Step::kMore;
  if (hdr_len_ == 1) {
    // Section 5.3.1.1: fmt in the top 2 bits; csid 0 and 1 announce the 2-
    // and 3-byte forms.
    fmt_ = hdr_[0] >> 6;
    uint8_t low = hdr_[0] & 0x3F;
    basic_len_ = low == 0 ? 2 : (low == 1 ? 3 : 1);
    hdr_need_ = basic_len_;
    if (basic_len_ > 1) return Step::kMore;
    return on_basic_header();
  }
  if (hdr_len_ == basic_len_) return on_basic_header();
  if (hdr_len_ == basic_len_ + kMessageHeaderSize[fmt_]) return on_message_header();
  return on_header_complete();
}

ChunkReader::Step ChunkReader::on_basic_header() noexcept {
  uint8_t low = hdr_[0] & 0x3F;
  if (basic_len_ == 1) csid_ = low;
  if (basic_len_ == 2) csid_ = 64u + hdr_[1];
  if (basic_len_ == 3) csid_ = 64u + hdr_[1] + 256u * hdr_[2];
  Stream* s = find_or_add(csid_);
  if (s == nullptr) {
    return fail(Errc::kTooLarge, "more chunk streams than the per-connection bound");
  }
  // Section 5.3.1.2: fmt 1-3 reuse the previous header of the chunk stream.
  // librtmp starts csid 2 with fmt 1; SRS and nginx accept it, so do we.
  bool librtmp_quirk = fmt_ == 1 && csid_ == kCsidProtocolControl;
  if (!s->has_header && fmt_ != 0 && !librtmp_quirk) {
    return fail(Errc::kInvalid,
                "the first chunk of a chunk stream is not fmt 0 (RTMP 1.0 5.3.1.2)");
  }
  if (s->in_progress && fmt_ != 3) {
    return fail(Errc::kInvalid, "a new message header while a message is in progress on the csid");
  }
  hdr_need_ = basic_len_ + kMessageHeaderSize[fmt_];
  if (fmt_ == 3) return on_message_header();
  return Step::kMore;
}

ChunkReader::Step ChunkReader::on_message_header() noexcept {
  Stream& s = streams_[stream_];
  bool ext = fmt_ < 3 ? base::load_be24(hdr_.data() + basic_len_) == kExtendedMarker : s.extended;
  // Section 5.3.1.3, and the librtmp quirk: on a fmt-3 continuation the
  // extended timestamp may or may not be repeated; peek at the next 4 bytes.
  ext_peek_ = ext && fmt_ == 3 && s.in_progress;
  if (!ext) return on_header_complete();
  hdr_need_ += 4;
  return Step::kMore;
}

ChunkReader::Step ChunkReader::on_header_complete() noexcept {
  Stream& s = streams_[stream_];
  bool replay = false;
  if (ext_peek_) {
    uint32_t ext = base::load_be32(hdr_.data() + hdr_need_ - 4);
    replay = ext != s.ext_value;  // not a repeat: those 4 bytes are payload
    if (replay) std::memcpy(peeked_.data(), hdr_.data() + hdr_need_ - 4, 4);
  }
  hdr_len_ = 0;
  hdr_need_ = 1;
  if (!s.in_progress) {
    Step r = start_message(s);
    if (r != Step::kMore) return r;
  }
  chunk_left_ = std::min(chunk_size_, s.header.length - s.received);
  state_ = State::kPayload;
  if (replay) return Step::kReplay;
  if (chunk_left_ == 0) return complete_message(s, nullptr);  // an empty message
  return Step::kMore;
}

ChunkReader::Step ChunkReader::start_message(Stream& s) noexcept {
  const uint8_t* mh = hdr_.data() + basic_len_;
  size_t ext_at = basic_len_ + kMessageHeaderSize[fmt_];
  uint32_t field = fmt_ < 3 ? base::load_be24(mh) : 0;
  bool ext = fmt_ < 3 ? field == kExtendedMarker : s.extended;
  uint32_t ts = ext ? base::load_be32(hdr_.data() + ext_at) : field;
  if (ext) s.ext_value = ts;
  if (fmt_ < 3) s.extended = ext;
  if (fmt_ == 0) {
    // Section 5.3.1.2.1: absolute timestamp; a following fmt-3 message
    // repeats it as its delta (section 5.3.1.2.4).
    s.header.timestamp = ts;
    s.delta = ts;
    s.header.stream_id = base::load_le32(mh + 7);
  } else {
    // Sections 5.3.1.2.2-4: fmt 1 and 2 carry a delta, fmt 3 repeats the
    // last one (its extended field, when present, holds that delta again).
    // Timestamps are modulo 2^32.
    if (fmt_ < 3 || ext) s.delta = ts;
    s.header.timestamp += s.delta;
  }
  if (fmt_ <= 1) {
    s.header.length = base::load_be24(mh + 3);
    s.header.type_id = mh[6];
  }
  s.has_header = true;
  if (s.header.length > limits_.max_message_size) {
    return fail(Errc::kTooLarge, "message larger than the configured maximum");
  }
  s.in_progress = true;
  s.received = 0;
  return Step::kMore;
}

ChunkReader::Step ChunkReader::read_payload(const uint8_t* p, size_t n, size_t* used) noexcept {
  Stream& s = streams_[stream_];
  size_t k = std::min<size_t>(n, chunk_left_);
  if (s.received == 0 && k == s.header.length) {
    // One chunk, all in hand: no reassembly (the payload is the caller's bytes).
    s.received = static_cast<uint32_t>(k);
    chunk_left_ = 0;
    *used = k;
    return complete_message(s, p);
  }
  if (s.received == 0 && !reserve(s, s.header.length)) {
    return fail(Errc::kTooLarge, "chunk streams buffer more than the per-connection bound");
  }
  std::memcpy(s.buf.get() + s.received, p, k);
  s.received += static_cast<uint32_t>(k);
  chunk_left_ -= static_cast<uint32_t>(k);
  *used = k;
  if (chunk_left_ > 0) return Step::kMore;
  if (s.received == s.header.length) return complete_message(s, s.buf.get());
  state_ = State::kHeader;
  return Step::kMore;
}

ChunkReader::Step ChunkReader::complete_message(Stream& s, const uint8_t* payload) noexcept {
  state_ = State::kHeader;
  s.in_progress = false;
  message_.header = s.header;
  message_.csid = s.csid;
  message_.payload = std::span<const uint8_t>(payload, s.header.length);
  if (is_protocol_control(s.header.type_id)) {
    Step r = apply_control(message_);
    if (r != Step::kMore) return r;
  }
  return Step::kMessage;
}

ChunkReader::Step ChunkReader::apply_control(const Message& msg) noexcept {
  uint8_t type = msg.header.type_id;
  if (type == kTypeAck || type == kTypeSetPeerBandwidth) return Step::kMore;  // the caller's
  auto decoded = decode_control(type, msg.payload);
  if (!decoded.is_ok()) return fail(decoded.status().code(), decoded.status().what());
  uint32_t value = decoded->value;
  if (type == kTypeSetChunkSize) {
    // Section 5.4.1: 1..0x7FFFFFFF, bounded further by configuration.
    if (value == 0) return fail(Errc::kInvalid, "set chunk size 0 (RTMP 1.0 5.4.1)");
    if (value > limits_.max_chunk_size) {
      return fail(Errc::kTooLarge, "set chunk size above the configured maximum");
    }
    chunk_size_ = value;
  }
  if (type == kTypeAbort) {
    // Section 5.4.2: discard the partly received message on that csid.
    for (Stream& s : streams_) {
      if (s.csid == value) s.in_progress = false;
    }
  }
  if (type == kTypeWindowAckSize) window_ = value;  // section 5.4.4
  return Step::kMessage;
}

ChunkReader::Step ChunkReader::fail(Errc code, const char* what) noexcept {
  failed_ = true;
  error_ = Status::fail(code, what);
  return Step::kError;
}

ChunkReader::Stream* ChunkReader::find_or_add(uint32_t csid) noexcept {
  if (stream_ < streams_.size() && streams_[stream_].csid == csid) return &streams_[stream_];
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].csid != csid) continue;
    stream_ = i;
    return &streams_[i];
  }
  if (streams_.size() >= limits_.max_chunk_streams) return nullptr;
  streams_.emplace_back();
  streams_.back().csid = csid;
  stream_ = streams_.size() - 1;
  return &streams_.back();
}

bool ChunkReader::reserve(Stream& s, uint32_t len) noexcept {
  if (s.cap >= len) return true;
  if (buffered_ - s.cap + len > limits_.max_buffered_bytes) {
    // Give back the buffers of idle chunk streams before refusing.
    for (Stream& other : streams_) {
      if (&other == &s || other.in_progress) continue;
      buffered_ -= other.cap;
      other.buf.reset();
      other.cap = 0;
    }
  }
  if (buffered_ - s.cap + len > limits_.max_buffered_bytes) return false;
  std::unique_ptr<uint8_t[]> buf(new (std::nothrow) uint8_t[len]);
  if (!buf) return false;
  buffered_ = buffered_ - s.cap + len;
  s.buf = std::move(buf);
  s.cap = len;
  return true;
}

void ChunkReader::push_replay(const uint8_t* p, size_t n) noexcept {
  // The unread rest of an earlier replay (at most 3 bytes) follows these.
  size_t unread = replay_len_ - replay_pos_;
  std::memmove(replay_.data() + n, replay_.data() + replay_pos_, unread);
  std::memcpy(replay_.data(), p, n);
  replay_pos_ = 0;
  replay_len_ = n + unread;
}

}  // namespace srs::proto::rtmp
