// libFuzzer target: RTMP command and data payloads, then the URL rules on what
// they carry. The first byte picks the message type (bit 0: AMF3 form, bit 1:
// data message); the rest is the payload.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"
#include "proto/rtmp/url.hpp"

using namespace srs::proto::rtmp;

namespace {

void check_url(const std::string& tc_url, const std::string& stream) {
  auto url = parse_stream_url(tc_url, stream);
  if (!url.is_ok()) return;
  (void)validate_stream_url(url.value());
  (void)stream_key(url->vhost, url->app, url->stream);
}

void command(const uint8_t* p, size_t n, bool amf3) {
  auto c = decode_command(p, n, amf3);
  if (!c.is_ok()) return;
  (void)command_name(c.value());
  if (const auto* conn = std::get_if<ConnectCommand>(&c.value())) check_url(conn->tc_url, "");
  if (const auto* pub = std::get_if<PublishCommand>(&c.value()))
    check_url("rtmp://h/live", pub->name);
  if (const auto* play = std::get_if<PlayCommand>(&c.value()))
    check_url("rtmp://h/app?k=v", play->name);
}

void data(const uint8_t* p, size_t n, bool amf3) {
  auto d = decode_data(p, n, amf3);
  if (!d.is_ok()) return;
  // What players get must decode to the same name and values.
  auto again = decode_data(reinterpret_cast<const uint8_t*>(d->player_payload.data()),
                           d->player_payload.size(), false);
  if (d->name == "@setDataFrame") return;  // "@setDataFrame", "@setDataFrame": prefix again
  if (!again.is_ok() || again->name != d->name || !(again->values == d->values)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data_in, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data_in[0];
  const uint8_t* p = data_in + 1;
  size_t n = size - 1;
  if (mode & 2) {
    data(p, n, mode & 1);
  } else {
    command(p, n, mode & 1);
  }
  // The raw bytes as a tcUrl and stream name, split at the first NUL.
  if (mode & 4) {
    std::string s(reinterpret_cast<const char*>(p), n);
    size_t nul = s.find('\0');
    check_url(s.substr(0, nul), nul == std::string::npos ? "" : s.substr(nul + 1));
  }
  return 0;
}
