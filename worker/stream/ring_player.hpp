// RingPlayer: one player of one live stream, whatever its framing (RTMP
// chunks, FLV tags), reading the stream's ring with a private cursor and
// writing it to the socket with writev(), straight from the shared mapping
// (the only copy is the kernel's). Subclasses frame each message (write its
// headers into scratch space and fill the iovecs) and own the socket.
//
// A new player gets the metadata and sequence headers (the ring's sticky
// slots), then the latest keyframe and what follows (the GOP cache), then the
// live records. Video before the first keyframe is never sent.
//
// Each send: read a batch of records (zero copy views), build the
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
#include "worker/stream/jitter.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/stream_hub.hpp"

namespace srs::worker {

class RingPlayer : public StreamSubscriber {
 public:
  RingPlayer(Services& svc, std::string key, const conf::VhostConfig& vhost);
  ~RingPlayer() override;
  RingPlayer(const RingPlayer&) = delete;
  RingPlayer& operator=(const RingPlayer&) = delete;

  // Attaches to the stream, or waits for its publisher.
  void start();
  void pause(bool paused);
  // The socket is writable: finish what is pending, then send more.
  bool on_writable();

  bool on_stream_data() override;
  void on_stream_state() override;
  const std::string& key() const { return key_; }

 protected:
  // --- the framing and the socket, provided by the subclass ---
  virtual int fd() const = 0;
  virtual bool closing() const = 0;
  virtual void close(const std::string& why) = 0;
  virtual void want_write() = 0;
  virtual void count_out(size_t bytes) = 0;
  // Sends the bytes queued outside the ring (replies, the start pack); false
  // while the socket is full.
  virtual bool flush_control() = 0;
  // Queues the metadata and sequence headers a new player gets first.
  virtual void queue_start_pack(const StartPack& pack) = 0;
  // Space one message of `length` payload bytes may need.
  virtual size_t header_space(uint32_t length) const = 0;
  virtual size_t iovec_space(uint32_t length) const = 0;
  // Writes the headers of one message into `scratch` and fills `iov` with
  // headers and payload; returns the iovecs used.
  virtual base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                                     size_t scratch_len, iovec* iov, size_t iov_cap) = 0;
  // The stream ended for good: tell the player if the protocol can.
  virtual void notify_end() = 0;
  // Messages framed but never sent were dropped (a skip): the next message
  // of each kind must not be framed relative to them (RTMP: fmt 0 again).
  virtual void reset_framing() {}

  Services& svc_;

 private:
  bool attach();
  void detach();
  bool send_pending();
  bool send_batch(bool* more);
  size_t frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count,
                       size_t* last_view);
  void keep_pending(const iovec* iov, size_t count, size_t first, uint32_t start,
                    const shm::RecordView& last);
  void rescue_pending();
  void jump();
  void end(const char* why, bool notify);
  shm::WorkerCounters& counters();

  std::string key_;
  const conf::VhostConfig& vhost_;
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
  std::vector<uint32_t> pend_ends_;  // pend_iov_ index after each message
  bool pend_private_ = false;        // pend_iov_ points into pend_hdr_ only (a rescue)
  bool jump_after_pending_ = false;
};

}  // namespace srs::worker
