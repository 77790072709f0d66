// RtmpFraming: a ring player's messages as RTMP chunks on the connection's
// ChunkWriter (message stream `stream_id`, audio on csid 7, video on 6, data
// on 8), and NetStream.Play.UnpublishNotify + Play.Stop when the stream
// ends for good (never before: ffmpeg and rtmpdump hang up on it).
//
// The ChunkWriter is the connection's: control messages and media share its
// per-csid header state (RTMP 1.0 5.3.1.2: a chunk's header may depend on
// the previous chunk of its csid).
#pragma once

#include <string>

#include "proto/rtmp/chunk_writer.hpp"
#include "worker/stream/framing.hpp"

namespace srs::worker {

class RtmpFraming final : public Framing {
 public:
  // `cid` is the connection's context id, sent in the onStatus replies.
  RtmpFraming(proto::rtmp::ChunkWriter& writer, uint32_t stream_id, std::string cid)
      : writer_(writer), stream_id_(stream_id), cid_(std::move(cid)) {}

  void queue_start(const StartPack& pack, std::vector<uint8_t>& out) override;
  size_t header_space(uint32_t length) const override { return writer_.header_space(length); }
  size_t iovec_space(uint32_t length) const override { return writer_.iovec_space(length); }
  base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                             size_t scratch_len, iovec* iov, size_t iov_cap) override;
  void reset() override;
  void queue_end(std::vector<uint8_t>& out) override;

 private:
  void queue(shm::RecordType type, const std::vector<uint8_t>& body, std::vector<uint8_t>& out);

  proto::rtmp::ChunkWriter& writer_;
  uint32_t stream_id_;
  std::string cid_;
};

}  // namespace srs::worker
