// ClientSession: the client end of one RTMP connection, as a player or a
// publisher (srs-bench today; the worker's forward and edge next).
//
// Pure protocol: the caller moves the bytes. It gives feed() what the socket
// read and sends what the session appended to its output vector; the session
// never blocks, keeps no clock and owns no socket. Inside: a HandshakeClient,
// a ChunkReader and a ChunkWriter. The flow (RTMP 1.0 sections 5.2, 7.2.1,
// 7.2.2; the FMLE publish flow of ffmpeg, see CLIENTS.md):
//
//   start()       C0 C1
//   S0 S1 S2   -> C2, [Set Chunk Size], connect, [Window Ack Size]
//   _result    -> kConnected;    publish: releaseStream, FCPublish; createStream
//   _result    -> kStreamCreated; publish, or play + SetBufferLength
//   onStatus   -> kLive on NetStream.Publish.Start / NetStream.Play.Start
//   then          player: kMessage for each audio, video and data message;
//                 publisher: send_metadata(), send_media() / write_media()
//   onStatus   -> kEnded on NetStream.Play.UnpublishNotify / NetStream.Play.Stop
//
// At any time it answers PingRequest (7.1.7) and acknowledges the bytes the
// server's window asks for (5.4.3). feed() stops after each event, like
// ChunkReader::feed() after each message, so any TCP split gives the same
// events. A refusal (connect _error, an onStatus of level "error" such as
// NetStream.Publish.BadName or NetStream.Play.StreamNotFound) ends the
// session with Errc::kRejected; status() keeps the server's code and
// description. Bad bytes end it with kInvalid or kTooLarge; never an assert.
//
//   ClientSession s(config, random);
//   if (!s.start(&out).is_ok()) ...            // send out
//   size_t used = 0;
//   for (;;) {                                  // on every read
//     ClientResult r = s.feed(data, len, &used, &out);
//     data += used; len -= used;
//     if (r == ClientResult::kError) { log(s.error_text()); close(); break; }
//     if (r == ClientResult::kNeedMore) break;  // all of data was used
//     handle(s.event());                        // s.message(), s.status() ...
//   }                                           // send out
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "proto/amf/value.hpp"
#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/chunk_writer.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/handshake.hpp"
#include "proto/rtmp/message.hpp"

namespace srs::proto::rtmp {

enum class ClientRole : unsigned char { kPlay, kPublish };

// Who is at the other end, as SRS's debug_srs_upnode exchanges it
// (research/srs.md 1.9): an edge or forwarder announces its own in connect's
// optional user arguments (7.2.1.1), and an SRS server answers with its own
// in the connect _result's information data. Empty strings and pid 0 mean
// "absent".
struct PeerIdentity {
  std::string sig;        // srs_sig, "SRS"
  std::string server;     // srs_server, "SRS/1.0.0(Name)"
  std::string version;    // srs_version, "1.0.0"
  double pid = 0;         // srs_pid
  std::string id;         // srs_id: the connection's log context id
  std::string server_ip;  // srs_server_ip
  // srs_via (ours, not SRS's): the ids of the servers the published stream
  // already went through, comma-separated, so a forward loop is refused.
  std::string via;
  bool empty() const noexcept;
};

// The srs_* properties of an object: connect's user arguments (an edge or
// forwarder announcing itself) or a connect _result's data.
PeerIdentity peer_identity_from(const amf::Value& object);

struct ClientConfig {
  ClientRole role = ClientRole::kPlay;
  std::string tc_url;     // connect's tcUrl, rtmp://host[:port]/app[?params]
  std::string app;        // connect's app
  std::string stream;     // the name in publish/play, with its ?params
  std::string flash_ver;  // empty: "FMLE/3.0 (compatible; FMSc/1.0)" to publish,
                          // "LNX 9,0,124,2" to play (what ffmpeg and rtmpdump send)
  std::string swf_url;    // omitted when empty
  std::string page_url;   // omitted when empty
  PeerIdentity identity;  // our own, sent when not empty
  // More properties of the same user-arguments object (a token, a vhost...).
  std::vector<amf::Property> args;
  DigestSchema handshake = DigestSchema::kBase8;  // kNone: simple C1 (5.2.3)
  uint32_t chunk_size = 60000;                    // ours (5.4.1); sent unless 128
  uint32_t window_ack_size = 2500000;  // asked of the server after connect (5.4.4); 0: not sent
  uint32_t buffer_ms = 3000;           // SetBufferLength after play (7.1.7)
  ChunkReaderLimits limits;            // for what the server sends
};

enum class ClientState : unsigned char {
  kIdle,            // before start()
  kHandshake,       // C0 C1 sent; reading S0 S1 S2
  kConnecting,      // connect sent; waiting for its _result
  kCreatingStream,  // createStream sent; waiting for its _result
  kStarting,        // publish or play sent; waiting for NetStream.*.Start
  kLive,            // publishing, or playing
  kEnded,           // player: the server said the stream ended (media may still come)
  kFailed,          // error() says why; close the connection
};

enum class [[nodiscard]] ClientResult : unsigned char{
    kNeedMore,  // every byte given was used; send the output, feed more
    kEvent,     // event() says what happened; feed the rest of the bytes
    kError,     // error() says why; close the connection
};

enum class ClientEvent : unsigned char {
  kConnected,      // connect accepted: upstream() holds the server's identity
  kStreamCreated,  // stream_id() known; publish or play went out
  kLive,           // NetStream.Publish.Start or NetStream.Play.Start (status())
  kStatus,         // another onStatus (Play.Reset, PublishNotify...), for the log
  kEnded,          // NetStream.Play.UnpublishNotify or NetStream.Play.Stop
  kMessage,        // player: message() is audio (8), video (9), data (18, 15) or aggregate (22)
};

// The server's information object (7.2.1.1, 7.2.2), each text bounded.
struct ServerStatus {
  std::string code;   // "NetStream.Publish.BadName"
  std::string level;  // "status" or "error"
  std::string description;
};

class ClientSession {
 public:
  // `random`: 1536 bytes for C1 from the caller's generator (fewer are padded
  // with zeros); `time`: C1's time field (5.2.3).
  ClientSession(ClientConfig config, std::span<const uint8_t> random, uint32_t time = 0);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Checks the configuration and appends C0 C1 to `out`. Call once, first.
  [[nodiscard]] base::Status start(std::vector<uint8_t>* out);

  // Uses bytes from the server until an event (kEvent), the end of `data`
  // (kNeedMore) or an error. `*consumed` is how many bytes were used. Bytes
  // to send (C2, commands, acknowledgements, pongs) are appended to `out`.
  // After kEvent, message() stays valid until the next feed(), and as long
  // as the bytes given to this feed() do (ChunkReader::feed).
  ClientResult feed(const uint8_t* data, size_t len, size_t* consumed,
                    std::vector<uint8_t>* out) noexcept;

  ClientEvent event() const noexcept { return event_; }
  // kMessage: the message; its payload points into the session's reader.
  const Message& message() const noexcept { return reader_.message(); }
  // The last information object of an onStatus, _result or _error.
  const ServerStatus& status() const noexcept { return status_; }
  // The server's identity from connect's _result (empty for non-SRS servers).
  const PeerIdentity& upstream() const noexcept { return upstream_; }

  ClientState state() const noexcept { return state_; }
  ClientRole role() const noexcept { return config_.role; }
  const ClientConfig& config() const noexcept { return config_; }
  uint32_t stream_id() const noexcept { return stream_id_; }
  // Bytes received, handshake included, modulo 2^32 (5.4.3).
  uint32_t bytes_received() const noexcept { return reader_.bytes_received(); }

  base::Status error() const noexcept { return error_; }
  // One line for a log: what failed, in which state, the cause below it and
  // the server's code and description when it refused.
  std::string error_text() const;

  // Publisher, once live: chunks one audio (8), video (9) or data (18)
  // message with an absolute timestamp onto `out`.
  [[nodiscard]] base::Status send_media(uint8_t type, uint32_t timestamp,
                                        std::span<const uint8_t> payload,
                                        std::vector<uint8_t>* out);
  // "@setDataFrame", "onMetaData", metadata (an object or ECMA array).
  [[nodiscard]] base::Status send_metadata(const amf::Value& metadata, std::vector<uint8_t>* out);
  // send_media() without copying the payload (first, then second): chunk
  // headers go into `scratch` and `iov` interleaves them with the payload,
  // as ChunkWriter::write(). Send everything appended to an `out` earlier
  // before these bytes: the chunk streams compress headers against them.
  [[nodiscard]] base::Result<size_t> write_media(uint8_t type, uint32_t timestamp,
                                                 std::span<const uint8_t> first,
                                                 std::span<const uint8_t> second, uint8_t* scratch,
                                                 size_t scratch_len, struct iovec* iov,
                                                 size_t iov_cap,
                                                 size_t* header_used = nullptr) noexcept;
  // Media framed by write_media() was never sent (a dropped batch): the next
  // message of each kind goes with a full header (RTMP 1.0 5.3.1.2.1).
  void forget_media_headers() noexcept;
  // Space write_media() needs for a payload of `length` bytes.
  size_t header_space(uint32_t length) const noexcept { return writer_.header_space(length); }
  size_t iovec_space(uint32_t length) const noexcept { return writer_.iovec_space(length); }

 private:
  enum class Step : unsigned char { kNone, kEvent, kError };

  base::Status check_config();
  ClientResult feed_handshake(const uint8_t* data, size_t len, size_t* consumed,
                              std::vector<uint8_t>* out) noexcept;
  void on_handshake_done(std::vector<uint8_t>* out);
  Step on_message(const Message& msg, std::vector<uint8_t>* out);
  Step on_user_control(const Message& msg, std::vector<uint8_t>* out);
  Step on_command(const Message& msg, std::vector<uint8_t>* out);
  Step on_result(const ResultCommand& r, std::vector<uint8_t>* out);
  Step on_connect_result(const ResultCommand& r, std::vector<uint8_t>* out);
  Step on_create_stream_result(const ResultCommand& r, std::vector<uint8_t>* out);
  Step on_status(const amf::Value& info);
  Step on_media() noexcept;
  void send_stream_requests(std::vector<uint8_t>* out);
  void send_start(std::vector<uint8_t>* out);
  void send_command(uint32_t csid, uint32_t stream_id, std::vector<uint8_t>* out);
  base::Status check_media(uint8_t type, size_t length) const noexcept;
  void keep_status(const amf::Value* info);
  Step emit(ClientEvent event) noexcept;
  Step reject(const char* what) noexcept;
  Step fail(base::Errc code, const char* what, base::Status cause = {}) noexcept;
  double create_stream_txn() const noexcept;

  ClientConfig config_;
  ClientState state_ = ClientState::kIdle;
  ClientState failed_in_ = ClientState::kIdle;  // the state an error happened in
  std::unique_ptr<HandshakeClient> handshake_;  // freed once done
  ChunkReader reader_;
  ChunkWriter writer_;
  std::vector<uint8_t> scratch_;  // the AMF payload being built
  uint32_t stream_id_ = 0;
  ClientEvent event_ = ClientEvent::kStatus;
  ServerStatus status_;
  PeerIdentity upstream_;
  base::Status error_;
  base::Status cause_;  // the lower layer's error (handshake, chunks, AMF), if any
};

// "handshake", "connect", "createStream", "publish"/"play" (starting), "live"...
const char* client_state_name(ClientState state) noexcept;

}  // namespace srs::proto::rtmp
