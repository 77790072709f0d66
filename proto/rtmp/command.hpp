// RTMP command messages (Adobe RTMP 1.0 section 7.2) decoded into typed structs.
//
// Input is one message payload, type 20 (AMF0 command) or 17 (AMF3 command:
// one leading 0x00 byte, then AMF0 values that may switch to AMF3 with 0x11,
// section 7.1.1). Layout, section 7.2: command name (string), transaction id
// (number), command object (usually null), then the command's arguments.
// Besides the spec's NetConnection/NetStream commands this knows the de-facto
// ones that FMLE, OBS and ffmpeg send (releaseStream, FCPublish, FCUnpublish,
// FCSubscribe, getStreamLength, _checkbw; see research/peers.md D.1). Any other
// name is a GenericCommand, so the caller can answer it with _error.
// This code knows nothing about chunks, sockets or sessions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/status.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::rtmp {

// Message types carrying AMF (section 7.1).
inline constexpr uint8_t kMsgAmf3Data = 15;
inline constexpr uint8_t kMsgAmf3Command = 17;
inline constexpr uint8_t kMsgAmf0Data = 18;
inline constexpr uint8_t kMsgAmf0Command = 20;

// 7.2.1.1 connect. The command object's well-known properties are copied out;
// `object` keeps all of them, `args` the optional user arguments after it.
struct ConnectCommand {
  double txn = 1;
  std::string tc_url;
  std::string app;
  std::string flash_ver;
  std::string swf_url;
  std::string page_url;
  double object_encoding = 0;  // 0 AMF0, 3 AMF3
  double capabilities = 0;
  double audio_codecs = 0;
  double video_codecs = 0;
  std::vector<std::string> four_cc_list;  // Enhanced RTMP
  amf::Value object;
  std::vector<amf::Value> args;
};

// 7.2.1.3 createStream.
struct CreateStreamCommand {
  double txn = 0;
};

// Commands whose only argument is a stream name: (name, txn, null, name).
// Distinct types so callers can std::get_if on each.
template <int kTag>
struct StreamNameCommand {
  double txn = 0;
  std::string name;
};
using ReleaseStreamCommand = StreamNameCommand<0>;    // de facto (FMLE)
using FcPublishCommand = StreamNameCommand<1>;        // de facto (FMLE)
using FcUnpublishCommand = StreamNameCommand<2>;      // de facto (FMLE)
using FcSubscribeCommand = StreamNameCommand<3>;      // de facto (edge CDNs)
using GetStreamLengthCommand = StreamNameCommand<4>;  // de facto (Flash players)

// 7.2.2.6 publish: name and type "live" | "record" | "append".
struct PublishCommand {
  double txn = 0;
  std::string name;
  std::string type = "live";
};

// 7.2.2.1 play: start -2 live or recorded, -1 live only, >= 0 recorded from
// that second; duration -1 to the end; reset flushes earlier playlists.
// Clients scale these: ffmpeg sends start -2000 (live * 1000), rtmpdump -v
// sends -1000 and --stop N as duration N * 1000. Treat any negative start as live.
struct PlayCommand {
  double txn = 0;
  std::string name;
  double start = -2;
  double duration = -1;
  bool reset = true;
};

// 7.2.2.2 play2: one object of NetStreamPlayOptions.
struct Play2Command {
  double txn = 0;
  amf::Value params;
  std::string name;        // params.streamName
  std::string old_name;    // params.oldStreamName
  std::string transition;  // params.transition
  double start = -2;       // params.start
  double duration = -1;    // params.len
};

// 7.2.2.8 pause: true to pause, false to resume, at `ms` milliseconds.
struct PauseCommand {
  double txn = 0;
  bool pause = true;
  double ms = 0;
};

// 7.2.2.3 deleteStream.
struct DeleteStreamCommand {
  double txn = 0;
  double stream_id = 0;
};

// closeStream (Flash's NetStream.close), no arguments.
struct CloseStreamCommand {
  double txn = 0;
};

// 7.2.2.4 receiveAudio / 7.2.2.5 receiveVideo.
template <int kTag>
struct ReceiveCommand {
  double txn = 0;
  bool flag = true;
};
using ReceiveAudioCommand = ReceiveCommand<0>;
using ReceiveVideoCommand = ReceiveCommand<1>;

// _checkbw (Haivision encoders, old Flash bandwidth checks).
struct CheckBwCommand {
  double txn = 0;
};

// 7.2.1.2 _result / _error, as a client sees them: every value after the id.
struct ResultCommand {
  bool error = false;
  double txn = 0;
  std::vector<amf::Value> args;  // usually properties/null, then information
  // The first object among args that has a "code" (the information object).
  const amf::Value* info() const noexcept;
};

// onStatus (7.2.2): txn 0, null, then the information object.
struct OnStatusCommand {
  double txn = 0;
  amf::Value info;
  std::string code() const { return info.get_string("code"); }
  std::string level() const { return info.get_string("level"); }
  std::string description() const { return info.get_string("description"); }
};

// onBWDone, sent by servers after connect.
struct OnBwDoneCommand {
  double txn = 0;
};

// Any other command: answer it with _error (or ignore it).
struct GenericCommand {
  std::string name;
  double txn = 0;
  std::vector<amf::Value> args;  // command object first
};

using Command =
    std::variant<ConnectCommand, CreateStreamCommand, ReleaseStreamCommand, FcPublishCommand,
                 FcUnpublishCommand, FcSubscribeCommand, GetStreamLengthCommand, PublishCommand,
                 PlayCommand, Play2Command, PauseCommand, DeleteStreamCommand, CloseStreamCommand,
                 ReceiveAudioCommand, ReceiveVideoCommand, CheckBwCommand, ResultCommand,
                 OnStatusCommand, OnBwDoneCommand, GenericCommand>;

// Decodes a command payload. `amf3_form` is true for message type 17: the
// leading 0x00 byte is skipped. Errors: the AMF errors ("amf0: truncated"...),
// "command: name is not a string", "command: transaction id is not a number",
// "connect: command object is not an object", "connect: no tcUrl",
// "publish: no stream name", "play: no stream name", "pause: no pause flag".
base::Result<Command> decode_command(const uint8_t* data, size_t size, bool amf3_form) noexcept;

// The wire name of a decoded command ("connect", "FCPublish", "_error"...).
std::string command_name(const Command& command);
// The transaction id of any decoded command.
double command_txn(const Command& command) noexcept;

}  // namespace srs::proto::rtmp
