// An RTMP connection, from accept to close: the handshake, the chunk stream
// in both directions, the commands (connect, createStream, publish, play...)
// and then either a Publisher (it sends media into a ring) or an RtmpPlayer
// (it receives media from a ring).
//
// Writes: small messages (replies, control, the start of a play) are chunked
// into out_ (cold path); media goes from the ring to the socket with
// writev() by the player. Bytes leave in that order: a partly sent media
// batch first, then out_, then new media.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/chunk_writer.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "proto/rtmp/handshake.hpp"
#include "proto/rtmp/url.hpp"
#include "worker/core/connections.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/stream/publisher.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

class RtmpPlayer;

class RtmpConn final : public Connection {
 public:
  RtmpConn(Services& svc, evutil_socket_t fd, std::string peer);
  ~RtmpConn() override;

  // --- for the player ---
  int fd() const { return fd_; }
  proto::rtmp::ChunkWriter& writer() { return writer_; }
  const proto::rtmp::ChunkWriter& writer() const { return writer_; }
  // Sends out_; false while the socket is full (EV_WRITE is armed).
  bool flush_out();
  void want_write();
  // Chunks a message into out_.
  void queue(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
             const uint8_t* data, size_t len);
  void close(const std::string& why) override;
  const std::string& peer() const { return peer_; }
  void reply_status(proto::rtmp::StatusCode code, const std::string& description,
                    uint32_t stream_id);
  uint64_t bytes_out() const { return bytes_out_; }
  void count_out(size_t n) {
    bytes_out_ += n;
    svc_.control->workers().counters(svc_.slot).bytes_out.add(n);
    client().add_out(n);
  }

 private:
  static void on_read_cb(evutil_socket_t fd, short, void* arg);
  static void on_write_cb(evutil_socket_t fd, short, void* arg);
  static void on_timeout_cb(evutil_socket_t, short, void* arg);
  void on_readable();
  void on_writable();
  bool feed(const uint8_t* data, size_t len);
  bool feed_handshake(const uint8_t* data, size_t len, size_t* used);
  bool on_message(const proto::rtmp::Message& msg);
  bool on_user_control(const proto::rtmp::Message& msg);

  // rtmp_commands.cpp
  bool on_command(const proto::rtmp::Message& msg);
  bool handle(const proto::rtmp::ConnectCommand& c);
  bool handle(const proto::rtmp::CreateStreamCommand& c);
  bool handle(const proto::rtmp::ReleaseStreamCommand& c);
  bool handle(const proto::rtmp::FcPublishCommand& c);
  bool handle(const proto::rtmp::FcUnpublishCommand& c);
  bool handle(const proto::rtmp::PublishCommand& c);
  bool handle(const proto::rtmp::PlayCommand& c);
  bool handle(const proto::rtmp::Play2Command& c);
  bool handle(const proto::rtmp::DeleteStreamCommand& c);
  bool handle(const proto::rtmp::CloseStreamCommand& c);
  bool handle(const proto::rtmp::PauseCommand& c);
  bool handle(const proto::rtmp::GetStreamLengthCommand& c);
  bool handle(const proto::rtmp::CheckBwCommand& c);
  bool on_unknown_command(const std::string& name, double txn);
  bool on_play(const std::string& name, double txn);
  void reply(const std::string& payload);
  void on_unpublish(const char* why);
  void queue_amf(uint32_t csid, uint8_t type, uint32_t stream_id, const std::string& payload);
  void queue_control(const proto::rtmp::ControlMessage& msg);
  void queue_user_control(const proto::rtmp::UserControl& msg);
  bool resolve(const std::string& stream_name, proto::rtmp::StreamUrl* url, std::string* why);

  // rtmp_hooks.cpp: HTTP callbacks. hook_allows() is true when the command
  // may go on now; false when the connection waits for the verdict (reading
  // paused; `again` re-runs the command once accepted) or was refused.
  bool hook_allows(HookEvent event, const proto::rtmp::StreamUrl& url, double txn,
                   std::function<bool()> again);
  // Hooks disabled: the commands go on without building the continuation.
  bool hooks_on() const noexcept {
    return hook_passed_ >= 0 || (vhost_ && vhost_->http_hooks.enabled);
  }
  void on_hook_verdict(HookEvent event, double txn, bool ok, const std::string& why,
                       const std::function<bool()>& again);
  void resume_after_hook();
  bool hold(const uint8_t* data, size_t len);
  HookInfo hook_info() const;
  void notify_hook(HookEvent event);
  void cancel_hook();
  void stop_play(const char* why);

  Services& svc_;
  evutil_socket_t fd_;
  std::string peer_;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  event* timeout_ev_ = nullptr;
  std::unique_ptr<proto::rtmp::HandshakeServer> handshake_;
  std::unique_ptr<proto::rtmp::ChunkReader> reader_;
  proto::rtmp::ChunkWriter writer_;
  std::vector<uint8_t> out_;
  size_t out_pos_ = 0;
  uint64_t bytes_in_ = 0, bytes_out_ = 0;
  bool got_bytes_ = false;

  // The session.
  std::string tc_url_;
  std::string app_;
  double object_encoding_ = 0;
  bool connected_ = false;
  const conf::VhostConfig* vhost_ = nullptr;
  std::string vhost_name_;
  uint32_t next_stream_id_ = 1;
  std::string publish_name_;  // from FCPublish/releaseStream, for logs
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<RtmpPlayer> player_;
  bool fmle_ = false;          // FCPublish flow: answer FCUnpublish with onFCUnpublish

  // HTTP callbacks (rtmp_hooks.cpp).
  std::string page_url_;
  proto::rtmp::StreamUrl hook_url_;  // of connect, then of publish/play (hooks enabled only)
  uint64_t hook_ticket_ = 0;         // the verdict this connection waits for
  int hook_passed_ = -1;             // the HookEvent accepted, while its command re-runs
  std::vector<uint8_t> held_;        // bytes read before the wait, fed after the verdict
};

}  // namespace srs::worker
