// RTMP command and data payload encoders, Adobe RTMP 1.0 section 7.2.
#include "proto/rtmp/command_writer.hpp"

#include "proto/amf/amf0_writer.hpp"

namespace srs::proto::rtmp {

using amf::Sink;
using amf::Value;

namespace {

constexpr const char* kFmsVersion = "FMS/3,5,3,888";
constexpr const char* kFmsVersionShort = "3,5,3,888";

constexpr StatusText kStatusTexts[] = {
    {"NetConnection.Connect.Success", "status", "Connection succeeded"},
    {"NetConnection.Connect.Rejected", "error", "Connection rejected"},
    {"NetConnection.Connect.Closed", "status", "Connection closed"},
    {"NetConnection.Call.Failed", "error", "Call failed"},
    {"NetStream.Publish.Start", "status", "Started publishing stream."},
    {"NetStream.Publish.BadName", "error", "Stream is already publishing."},
    {"NetStream.Unpublish.Success", "status", "Stream is now unpublished."},
    {"NetStream.Play.Reset", "status", "Playing and resetting stream."},
    {"NetStream.Play.Start", "status", "Started playing stream."},
    {"NetStream.Play.Stop", "status", "Stopped playing stream."},
    {"NetStream.Play.StreamNotFound", "error", "Stream not found."},
    {"NetStream.Play.UnpublishNotify", "status", "The stream is unpublished."},
    {"NetStream.Play.PublishNotify", "status", "The stream is published."},
    {"NetStream.Pause.Notify", "status", "Paused stream."},
    {"NetStream.Unpause.Notify", "status", "Unpaused stream."},
    {"NetStream.Data.Start", "status", "Started data."},
};
static_assert(std::size(kStatusTexts) == static_cast<size_t>(StatusCode::kDataStart) + 1);

// name, txn: the start of every command (7.2).
void put_call_header(Sink out, std::string_view name, double txn) {
  amf::amf0_write_string(out, name);
  amf::amf0_write_number(out, txn);
}

Value error_info(const char* code, std::string_view description) {
  Value info = Value::object();
  info.set("level", Value::string("error"));
  info.set("code", Value::string(code));
  info.set("description", Value::string(std::string(description)));
  return info;
}

void put_named_call(Sink out, std::string_view call, double txn, std::string_view name) {
  put_call_header(out, call, txn);
  amf::amf0_write_null(out);
  amf::amf0_write_string(out, name);
}

void put_fc_status(Sink out, std::string_view call, const char* code,
                   std::string_view description) {
  put_call_header(out, call, 0);
  amf::amf0_write_null(out);
  Value info = Value::object();
  info.set("code", Value::string(code));
  info.set("description", Value::string(std::string(description)));
  amf::amf0_write(out, info);
}

}  // namespace

StatusText status_text(StatusCode code) noexcept {
  return kStatusTexts[static_cast<size_t>(code)];
}

Value status_info(StatusCode code, std::string_view description, std::string_view details,
                  std::string_view client_id) {
  StatusText t = status_text(code);
  Value info = Value::object();
  info.set("level", Value::string(t.level));
  info.set("code", Value::string(t.code));
  info.set("description",
           Value::string(description.empty() ? t.description : std::string(description)));
  if (!details.empty()) info.set("details", Value::string(std::string(details)));
  if (!client_id.empty()) info.set("clientid", Value::string(std::string(client_id)));
  return info;
}

void encode_connect_result(Sink out, const ConnectResult& r) {
  put_call_header(out, "_result", r.txn);
  Value props = Value::object();
  props.set("fmsVer", Value::string(kFmsVersion));
  props.set("capabilities", Value::number(127));
  props.set("mode", Value::number(1));
  amf::amf0_write(out, props);

  Value data = Value::ecma_array();
  data.set("version", Value::string(kFmsVersionShort));
  data.set("srs_sig", Value::string(r.signature));
  data.set("srs_server", Value::string(r.server));
  data.set("srs_version", Value::string(r.version));
  data.set("srs_pid", Value::number(r.pid));
  data.set("srs_id", Value::string(r.context_id));
  if (!r.server_ip.empty()) data.set("srs_server_ip", Value::string(r.server_ip));

  Value info = status_info(StatusCode::kConnectSuccess, r.description);
  info.set("objectEncoding", Value::number(r.object_encoding));
  info.set("data", std::move(data));
  amf::amf0_write(out, info);
}

void encode_connect_error(Sink out, double txn, std::string_view description) {
  put_call_header(out, "_error", txn);
  amf::amf0_write_null(out);
  amf::amf0_write(out, error_info("NetConnection.Connect.Rejected", description));
}

void encode_redirect(Sink out, std::string_view tc_url, std::string_view url) {
  Value info = error_info("NetConnection.Connect.Rejected", "RTMP 302 Redirect");
  Value ex = Value::object();
  ex.set("code", Value::number(302));
  ex.set("redirect", Value::string(std::string(tc_url)));
  ex.set("redirect2", Value::string(std::string(url)));
  info.set("ex", std::move(ex));
  encode_on_status(out, info);
}

void encode_call_error(Sink out, double txn, std::string_view description) {
  put_call_header(out, "_error", txn);
  amf::amf0_write_null(out);
  amf::amf0_write(out, error_info("NetConnection.Call.Failed", description));
}

void encode_create_stream_result(Sink out, double txn, double stream_id) {
  put_call_header(out, "_result", txn);
  amf::amf0_write_null(out);
  amf::amf0_write_number(out, stream_id);
}

void encode_simple_result(Sink out, double txn) {
  put_call_header(out, "_result", txn);
  amf::amf0_write_null(out);
  amf::amf0_write_undefined(out);
}

void encode_check_bw_result(Sink out, double txn) {
  encode_simple_result(out, txn);
}

void encode_stream_length_result(Sink out, double txn, double duration) {
  put_call_header(out, "_result", txn);
  amf::amf0_write_null(out);
  amf::amf0_write_number(out, duration);
}

void encode_on_fc_publish(Sink out, std::string_view description) {
  put_fc_status(out, "onFCPublish", "NetStream.Publish.Start", description);
}

void encode_on_fc_unpublish(Sink out, std::string_view description) {
  put_fc_status(out, "onFCUnpublish", "NetStream.Unpublish.Success", description);
}

void encode_on_status(Sink out, const Value& info, double txn) {
  put_call_header(out, "onStatus", txn);
  amf::amf0_write_null(out);
  amf::amf0_write(out, info);
}

void encode_on_status(Sink out, StatusCode code, std::string_view description,
                      std::string_view details, std::string_view client_id) {
  encode_on_status(out, status_info(code, description, details, client_id));
}

void encode_on_status_data(Sink out, StatusCode code) {
  amf::amf0_write_string(out, "onStatus");
  Value info = Value::object();
  info.set("code", Value::string(status_text(code).code));
  amf::amf0_write(out, info);
}

void encode_sample_access(Sink out, bool audio, bool video) {
  amf::amf0_write_string(out, "|RtmpSampleAccess");
  amf::amf0_write_boolean(out, audio);
  amf::amf0_write_boolean(out, video);
}

void encode_on_bw_done(Sink out) {
  put_call_header(out, "onBWDone", 0);
  amf::amf0_write_null(out);
}

void encode_connect(Sink out, const ConnectRequest& r) {
  put_call_header(out, "connect", r.txn);
  Value o = Value::object();
  o.set("app", Value::string(r.app));
  o.set("flashVer", Value::string(r.flash_ver));
  if (!r.swf_url.empty()) o.set("swfUrl", Value::string(r.swf_url));
  o.set("tcUrl", Value::string(r.tc_url));
  o.set("fpad", Value::boolean(false));
  o.set("capabilities", Value::number(239));
  o.set("audioCodecs", Value::number(3575));
  o.set("videoCodecs", Value::number(252));
  o.set("videoFunction", Value::number(1));
  if (!r.page_url.empty()) o.set("pageUrl", Value::string(r.page_url));
  o.set("objectEncoding", Value::number(r.object_encoding));
  amf::amf0_write(out, o);
  for (const Value& v : r.args) amf::amf0_write(out, v);
}

void encode_create_stream(Sink out, double txn) {
  put_call_header(out, "createStream", txn);
  amf::amf0_write_null(out);
}

void encode_release_stream(Sink out, double txn, std::string_view name) {
  put_named_call(out, "releaseStream", txn, name);
}

void encode_fc_publish(Sink out, double txn, std::string_view name) {
  put_named_call(out, "FCPublish", txn, name);
}

void encode_fc_unpublish(Sink out, double txn, std::string_view name) {
  put_named_call(out, "FCUnpublish", txn, name);
}

void encode_publish(Sink out, double txn, std::string_view name, std::string_view type) {
  put_named_call(out, "publish", txn, name);
  amf::amf0_write_string(out, type);
}

void encode_play(Sink out, double txn, std::string_view name, double start, double duration) {
  put_named_call(out, "play", txn, name);
  amf::amf0_write_number(out, start);
  if (duration >= 0) amf::amf0_write_number(out, duration);
}

void encode_delete_stream(Sink out, double txn, double stream_id) {
  put_call_header(out, "deleteStream", txn);
  amf::amf0_write_null(out);
  amf::amf0_write_number(out, stream_id);
}

void encode_call(Sink out, std::string_view name, double txn, const std::vector<Value>& args) {
  put_call_header(out, name, txn);
  for (const Value& v : args) amf::amf0_write(out, v);
}

}  // namespace srs::proto::rtmp
