// An RTMP connection, from accept to close: the handshake, the chunk stream
// in both directions, the commands (connect, createStream, publish, play...)
// and then either a Publisher (its media goes into a ring) or a RingPlayer
// with RTMP framing (media comes from a ring).
//
// Writes: small messages (replies, control, the start of a play) are chunked
// into the connection's output (cold path); media goes from the ring to the
// socket with writev() by the player. Bytes leave in that order: a partly
// sent media batch first, then the output, then new media.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/chunk_writer.hpp"
#include "proto/rtmp/client_session.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "proto/rtmp/handshake.hpp"
#include "proto/rtmp/url.hpp"
#include "worker/access/gatekeeper.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/net/socket_conn.hpp"
#include "worker/rtmp/rtmp_framing.hpp"
#include "worker/stream/publisher.hpp"
#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class RtmpConn final : public SocketConn {
 public:
  RtmpConn(Services& svc, std::unique_ptr<Transport> transport, std::string peer);
  ~RtmpConn() override;

 private:
  void on_readable() override;
  void on_writable() override;
  void on_timer() override;
  void handshake_timed_out();
  void on_closing(const std::string& why) override;
  bool on_bytes(const uint8_t* data, size_t len) override;
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
  void reply_status(proto::rtmp::StatusCode code, const std::string& description,
                    uint32_t stream_id);
  // Chunks a message into the output.
  void queue_message(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
                     const uint8_t* data, size_t len);
  void on_unpublish(const char* why);
  void queue_amf(uint32_t csid, uint8_t type, uint32_t stream_id, const std::string& payload);
  void queue_control(const proto::rtmp::ControlMessage& msg);
  void queue_user_control(const proto::rtmp::UserControl& msg);
  bool resolve(const std::string& stream_name, proto::rtmp::StreamUrl* url, std::string* why);
  bool admitted(AccessAction action, const proto::rtmp::StreamUrl& url);
  // rtmp_hooks.cpp: the origin cluster's lease before a publish (false: waiting, or refused).
  bool directory_allows(const proto::rtmp::StreamUrl& url, std::function<bool()> again);
  void on_directory_verdict(bool ok, const std::string& why, const std::function<bool()>& again);
  // ... and, before a play of a stream this origin does not have, its holder:
  // a redirect there (origin_cluster.redirect) or a pull through.
  bool directory_play(const proto::rtmp::StreamUrl& url, std::function<bool()> again);
  void on_holder(const proto::rtmp::StreamUrl& url, const StreamDirectory::Holder& h,
                 const std::function<bool()>& again);
  void redirect_to(const proto::rtmp::StreamUrl& url, const StreamDirectory::Holder& h);
  bool waiting() const noexcept { return hook_ticket_ != 0 || directory_ticket_ != 0; }

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

  std::unique_ptr<proto::rtmp::HandshakeServer> handshake_;
  std::unique_ptr<proto::rtmp::ChunkReader> reader_;
  proto::rtmp::ChunkWriter writer_;
  bool got_bytes_ = false;
  std::string media_scratch_;  // re-encoded metadata (rtmp_media.hpp)

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
  std::unique_ptr<RtmpFraming> framing_;
  std::unique_ptr<RingPlayer> player_;  // after framing_: destroyed before it
  bool fmle_ = false;                   // FCPublish flow: answer FCUnpublish with onFCUnpublish

  // HTTP callbacks (rtmp_hooks.cpp).
  std::string page_url_;
  proto::rtmp::PeerIdentity upstream_;  // a forwarder or edge connecting here (connect's srs_*)
  proto::rtmp::StreamUrl hook_url_;     // of connect, then of publish/play (hooks enabled only)
  uint64_t hook_ticket_ = 0;            // the verdict this connection waits for
  uint64_t directory_ticket_ = 0;       // the origin cluster's lease it waits for
  std::string directory_claimed_;  // the stream the directory answered for (the command runs again)
  bool pull_through_ = false;      // play: another origin holds the stream; pull it
  int hook_passed_ = -1;           // the HookEvent accepted, while its command re-runs
  std::vector<uint8_t> held_;      // bytes read before the wait, fed after the verdict
};

}  // namespace srs::worker
