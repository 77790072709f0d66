// RTMP command and data payloads a server and a client send (Adobe RTMP 1.0 section 7.2).
//
// Each function appends one complete AMF0 message payload to `out` (send as
// type 20 for commands, 18 for data messages). Server replies follow SRS and
// FMS byte for byte where clients care (fmsVer, capabilities, the status codes
// that ffmpeg, librtmp and Flash test for).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/amf/sink.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::rtmp {

// ---- Status codes (onStatus / _result / _error information objects).

enum class StatusCode {
  kConnectSuccess,       // NetConnection.Connect.Success
  kConnectRejected,      // NetConnection.Connect.Rejected
  kConnectClosed,        // NetConnection.Connect.Closed
  kCallFailed,           // NetConnection.Call.Failed
  kPublishStart,         // NetStream.Publish.Start
  kPublishBadName,       // NetStream.Publish.BadName
  kUnpublishSuccess,     // NetStream.Unpublish.Success
  kPlayReset,            // NetStream.Play.Reset
  kPlayStart,            // NetStream.Play.Start
  kPlayStop,             // NetStream.Play.Stop
  kPlayStreamNotFound,   // NetStream.Play.StreamNotFound
  kPlayUnpublishNotify,  // NetStream.Play.UnpublishNotify
  kPlayPublishNotify,    // NetStream.Play.PublishNotify
  kPauseNotify,          // NetStream.Pause.Notify
  kUnpauseNotify,        // NetStream.Unpause.Notify
  kDataStart,            // NetStream.Data.Start
};

struct StatusText {
  const char* code;
  const char* level;        // "status" or "error"
  const char* description;  // the default, as SRS/FMS word it
};
StatusText status_text(StatusCode code) noexcept;

// {level, code, description}, plus details and clientid when not empty.
amf::Value status_info(StatusCode code, std::string_view description = {},
                       std::string_view details = {}, std::string_view client_id = {});

// ---- Server side.

// The connect _result (7.2.1.1): properties {fmsVer "FMS/3,5,3,888",
// capabilities 127, mode 1}, information {level status, code
// NetConnection.Connect.Success, description, objectEncoding, data {version,
// srs_sig, srs_server, srs_version, srs_pid, srs_id, srs_server_ip}}.
struct ConnectResult {
  double txn = 1;
  double object_encoding = 0;  // echo the client's objectEncoding
  std::string description = "Connection succeeded";
  std::string signature = "SRS";  // srs_sig
  std::string server;             // srs_server, e.g. "SRS/1.0.0(Name)"
  std::string version;            // srs_version, e.g. "1.0.0"
  double pid = 0;                 // srs_pid
  std::string context_id;         // srs_id: the connection's log context id
  std::string server_ip;          // srs_server_ip, omitted when empty
};
void encode_connect_result(amf::Sink out, const ConnectResult& r);
// _error, txn, null, {level error, code NetConnection.Connect.Rejected, description}.
void encode_connect_error(amf::Sink out, double txn, std::string_view description);
// SRS's RTMP 302: onStatus, 0, null, {level error, code
// NetConnection.Connect.Rejected, description "RTMP 302 Redirect", ex {code
// 302, redirect: the holder's tcUrl, redirect2: the whole stream URL}}.
void encode_redirect(amf::Sink out, std::string_view tc_url, std::string_view url);
// _error, txn, null, {level error, code NetConnection.Call.Failed, description}: unknown commands.
void encode_call_error(amf::Sink out, double txn, std::string_view description);
// _result, txn, null, stream id (7.2.1.3).
void encode_create_stream_result(amf::Sink out, double txn, double stream_id);
// _result, txn, null, undefined: the answer to releaseStream, FCPublish,
// FCUnpublish and any call that needs only an acknowledgement.
void encode_simple_result(amf::Sink out, double txn);
// _checkbw: the same acknowledgement (SRS answers it like any identify-time call).
void encode_check_bw_result(amf::Sink out, double txn);
// _result, txn, null, duration in seconds (getStreamLength).
void encode_stream_length_result(amf::Sink out, double txn, double duration);
// onFCPublish / onFCUnpublish, 0, null, {code, description}.
void encode_on_fc_publish(amf::Sink out,
                          std::string_view description = "Started publishing stream.");
void encode_on_fc_unpublish(amf::Sink out,
                            std::string_view description = "Stop publishing stream.");
// onStatus, 0, null, info (7.2.2).
void encode_on_status(amf::Sink out, const amf::Value& info, double txn = 0);
void encode_on_status(amf::Sink out, StatusCode code, std::string_view description = {},
                      std::string_view details = {}, std::string_view client_id = {});
// Data message "onStatus", {code} (NetStream.Data.Start, sent as type 18).
void encode_on_status_data(amf::Sink out, StatusCode code);
// Data message "|RtmpSampleAccess", audio, video: lets Flash read the samples.
void encode_sample_access(amf::Sink out, bool audio = true, bool video = true);
// onBWDone, 0, null.
void encode_on_bw_done(amf::Sink out);

// ---- Client side (edge pull/push, forward, bench).

struct ConnectRequest {
  double txn = 1;
  std::string app;
  std::string tc_url;
  std::string flash_ver = "FMLE/3.0 (compatible; FMSc/1.0)";
  std::string swf_url;   // omitted when empty
  std::string page_url;  // omitted when empty
  double object_encoding = 0;
  std::vector<amf::Value> args;  // optional user arguments after the command object
};
// connect, txn, {app, flashVer, swfUrl, tcUrl, fpad false, capabilities 239,
// audioCodecs 3575, videoCodecs 252, videoFunction 1, pageUrl, objectEncoding}.
void encode_connect(amf::Sink out, const ConnectRequest& r);
void encode_create_stream(amf::Sink out, double txn);
void encode_release_stream(amf::Sink out, double txn, std::string_view name);
void encode_fc_publish(amf::Sink out, double txn, std::string_view name);
void encode_fc_unpublish(amf::Sink out, double txn, std::string_view name);
void encode_publish(amf::Sink out, double txn, std::string_view name,
                    std::string_view type = "live");
// play, txn, null, name, start[, duration when >= 0].
void encode_play(amf::Sink out, double txn, std::string_view name, double start = -2,
                 double duration = -1);
void encode_delete_stream(amf::Sink out, double txn, double stream_id);

// Any call: name, txn, then the values (the command object first).
void encode_call(amf::Sink out, std::string_view name, double txn,
                 const std::vector<amf::Value>& args);

}  // namespace srs::proto::rtmp
