// RingPlayer: one player of one live stream, whatever its framing (RTMP
// chunks, FLV tags): a StreamCursor says where it is in the ring, a Framing
// wraps each message for the wire, and the connection's transport writes
// headers and payloads together with one writev() per batch, straight from
// the shared mapping (the only copy is the kernel's).
//
// A new player gets the metadata and sequence headers (the stream's start
// pack), then the latest keyframe and what follows (the GOP cache), then the
// live records. Video before the first keyframe is never sent.
//
// Each send: read a batch of records (zero copy views), frame them into the
// worker's scratch space, write, then check that the ring did not overwrite
// what was sent meanwhile: a torn message must never reach a player, and
// sent_intact() is the one place that decides (count, log, close). When the
// socket takes only part of a batch, the rest (iovecs and header bytes) is
// kept and sent first when the socket is writable; the cursor moves past
// the batch only once all of it is out.
//
// A player that falls a quarter of the ring behind jumps to the newest
// keyframe (play.slow_player: skip, counted and logged) or is disconnected
// (slow_player: disconnect); it never slows the publisher or anyone else.
#pragma once

#include <sys/uio.h>

#include <string>
#include <vector>

#include "conf/config.hpp"
#include "worker/core/services.hpp"
#include "worker/net/socket_conn.hpp"
#include "worker/stream/framing.hpp"
#include "worker/stream/jitter.hpp"
#include "worker/stream/stream_cursor.hpp"

namespace srs::worker {

class RingPlayer final : public StreamCursor::Owner {
 public:
  // A forwarder's RingPlayer (`counted` false) is not a player in the
  // worker's figures.
  RingPlayer(Services& svc, SocketConn& conn, Framing& framing, std::string key,
             const conf::VhostConfig& vhost, bool counted = true);
  ~RingPlayer() override;
  RingPlayer(const RingPlayer&) = delete;
  RingPlayer& operator=(const RingPlayer&) = delete;

  // Attaches to the stream, or waits for its publisher.
  void start();
  void pause(bool paused);
  // The socket is writable: finish what is pending, then send more.
  bool on_writable();
  // True once attached to the live stream (media has begun).
  bool started() const noexcept { return started_; }
  const std::string& key() const noexcept { return cursor_.key(); }

  bool on_cursor_data() override;
  void on_cursor_attached(const StartPack& pack, bool again) override;
  void on_cursor_ended(const char* why) override;
  bool can_move() const override { return !pending_; }

 private:
  // A batch the socket took only part of.
  struct Pending {
    std::vector<iovec> iov;
    std::vector<uint8_t> headers;  // the header bytes the iovecs point into
    std::vector<uint32_t> ends;    // iov index after each message
    size_t idx = 0;
    uint32_t start = 0;  // for validation
    uint32_t messages = 0;
    shm::RecordView last;
    bool private_copy = false;  // a rescue: iov points into `headers` only
    bool jump_after = false;
  };

  bool send_batch(bool* more);
  size_t frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count);
  bool write_batch(iovec* iov, size_t count, size_t* idx, uint32_t start, bool from_ring);
  bool sent_intact(uint32_t start);
  void keep_pending(size_t iov_count, size_t first, uint32_t start, uint32_t messages,
                    const shm::RecordView& last);
  bool send_pending();
  void rescue_pending();
  void skipped(const char* how);
  void jump();
  void queue_start(const StartPack& pack);
  void end(const char* why, bool notify);
  shm::WorkerCounters& counters();

  Services& svc_;
  SocketConn& conn_;
  Framing& framing_;
  const conf::VhostConfig& vhost_;
  StreamCursor cursor_;
  Jitter jitter_;
  bool paused_ = false;
  bool need_keyframe_ = true;
  bool ended_ = false;
  bool started_ = false;
  bool pending_ = false;
  uint32_t laps_logged_ = 0;
  int64_t attached_ms_ = 0;
  bool first_frame_logged_ = false;
  bool counted_;
  Pending pend_;
};

}  // namespace srs::worker
