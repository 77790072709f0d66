// StreamCursor: one consumer's place in one live stream on this worker, the
// part of a player that is not its framing or its socket: it finds the
// stream (or waits for its publisher), maps it through the hub, reads it
// with a private RingReader, follows a new ring when the stream is taken
// over or published anew, and says when the stream ended for good.
//
//   start() ──live──> attached ──ended / replaced──> attached again (a new ring)
//      │                 ^                   └─────> ended (no republish in the grace period)
//      └──not live──> waiting ──published──┘
//
// Its owner (a RingPlayer; later a forwarder) reads through reader():
// read(), then after sending validate() and advance_past() (the reader's
// contract, shm/ring_reader.hpp). The hub calls on_stream_data() when the
// stream may have new records and on_stream_state() when the registry
// changed; the cursor hands both to the owner in its own terms.
#pragma once

#include <string>

#include "conf/config.hpp"
#include "shm/ring_reader.hpp"
#include "worker/stream/start_pack.hpp"
#include "worker/stream/stream_hub.hpp"

namespace srs::worker {

class StreamCursor final : public StreamSubscriber {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    // Records may be readable. False while the owner still has some to send
    // (it goes on from its own socket's EV_WRITE, then calls maybe_sleep()).
    virtual bool on_cursor_data() = 0;
    // Attached to the live stream: the first time, or to a new ring after a
    // takeover or a new publish. Media starts with `pack`, then a keyframe.
    virtual void on_cursor_attached(const StartPack& pack, bool again) = 0;
    // The stream ended for good (the owner tells its client and closes).
    virtual void on_cursor_ended(const char* why) = 0;
    // False while a message is half sent: the cursor cannot move to another
    // ring now (the stream then ends for this owner).
    virtual bool can_move() const { return true; }
  };

  StreamCursor(StreamHub& hub, std::string key, const conf::VhostConfig& vhost, Owner& owner);
  ~StreamCursor() override;
  StreamCursor(const StreamCursor&) = delete;
  StreamCursor& operator=(const StreamCursor&) = delete;

  // Attaches to the stream, or waits for its publisher. False: waiting.
  bool start();
  bool attached() const noexcept { return stream_ != nullptr; }
  shm::RingReader& reader() noexcept { return reader_; }
  // The stream's current start pack (shared by every consumer of the stream here).
  const StartPack& start_pack();
  // The owner finished a send it had pending: maybe the stream can sleep.
  void maybe_sleep();
  const std::string& key() const noexcept { return key_; }

  bool on_stream_data() override { return owner_.on_cursor_data(); }
  void on_stream_state() override;

 private:
  bool attach(bool again);
  void detach();
  void wait();

  StreamHub& hub_;
  std::string key_;
  const conf::VhostConfig& vhost_;
  Owner& owner_;
  LocalStream* stream_ = nullptr;
  shm::RingReader reader_;
  bool waiting_ = false;
  bool ended_ = false;
};

}  // namespace srs::worker
