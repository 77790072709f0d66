// RtmpPlayer: one RTMP player of one live stream, reading the stream's ring
// with a private cursor and writing it to the socket with writev(), straight
// from the shared mapping (the only copy is the kernel's).
//
// A new player gets the metadata and sequence headers (the ring's sticky
// slots), then the latest keyframe and what follows (the GOP cache), then the
// live records. Video before the first keyframe is never sent.
//
// Each send: read a batch of records (zero copy views), build the chunk
// headers of each message into the worker's scratch space, writev() headers
// and payloads together, then validate that the ring did not overwrite what
// was sent meanwhile (else the player is closed: a torn message must never
// reach it). When the socket takes only part of a batch, the rest (iovecs
// and header bytes) is kept and sent first when the socket is writable; the
// cursor moves past the batch only once all of it is out.
//
// A player that falls a quarter of the ring behind jumps to the newest
// keyframe (play.slow_player: skip, counted and logged) or is disconnected
// (slow_player: disconnect); it never slows the publisher or anyone else.
#pragma once

#include <sys/uio.h>

#include <memory>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "shm/ring_reader.hpp"
#include "worker/jitter.hpp"
#include "worker/services.hpp"
#include "worker/stream_hub.hpp"

namespace srs::worker {

class RtmpConn;

class RtmpPlayer final : public StreamSubscriber {
 public:
  RtmpPlayer(Services& svc, RtmpConn& conn, std::string key, const conf::VhostConfig& vhost,
             uint32_t stream_id);
  ~RtmpPlayer() override;
  RtmpPlayer(const RtmpPlayer&) = delete;
  RtmpPlayer& operator=(const RtmpPlayer&) = delete;

  // Attaches to the stream, or waits for its publisher.
  void start();
  void pause(bool paused);
  // The socket is writable: finish what is pending, then send more.
  bool on_writable();

  bool on_stream_data() override;
  void on_stream_state() override;

 private:
  bool attach();
  void detach();
  void queue_start_pack();
  bool send_pending();
  bool send_batch(bool* more);
  size_t frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count,
                       size_t* last_view);
  void keep_pending(const iovec* iov, size_t count, uint32_t start, const shm::RecordView& last);
  void end(const char* why, bool notify);
  shm::WorkerCounters& counters();

  Services& svc_;
  RtmpConn& conn_;
  std::string key_;
  const conf::VhostConfig& vhost_;
  uint32_t stream_id_;
  LocalStream* stream_ = nullptr;
  shm::RingReader reader_;
  Jitter jitter_;
  bool waiting_ = false;
  bool paused_ = false;
  bool need_keyframe_ = true;
  bool ended_ = false;
  uint32_t generation_ = 0;
  uint32_t laps_logged_ = 0;
  int64_t attached_ms_ = 0;
  bool first_frame_logged_ = false;

  // A batch the socket took only part of.
  std::vector<iovec> pend_iov_;
  std::vector<uint8_t> pend_hdr_;
  size_t pend_idx_ = 0;
  uint32_t pend_start_ = 0;
  shm::RecordView pend_last_;
  bool pending_ = false;
};

}  // namespace srs::worker
