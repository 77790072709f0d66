// RTMP data messages: @setDataFrame / onMetaData and the other AMF data names.
#include "proto/rtmp/command_data.hpp"

#include "proto/amf/amf0_reader.hpp"
#include "proto/amf/amf0_writer.hpp"

namespace srs::proto::rtmp {

using amf::Value;
using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kNameNotString = Status::fail(Errc::kInvalid, "data: name is not a string");
constexpr Status kNoFrameName = Status::fail(Errc::kInvalid, "data: @setDataFrame without a name");

Status read_name(amf::Amf0Reader& reader, std::string& out, const Status& not_string) {
  Result<Value> name = reader.read();
  if (!name.is_ok()) return name.status();
  if (!name->is_string()) return not_string;
  out = name->as_string();
  return Status::ok();
}

}  // namespace

const Value* DataMessage::metadata() const noexcept {
  for (const Value& v : values) {
    if (v.has_properties()) return &v;
  }
  return nullptr;
}

Result<DataMessage> decode_data(const uint8_t* data, size_t size, bool amf3_form) noexcept {
  if (amf3_form && size > 0 && data[0] == 0x00) {  // 7.1.2: AMF3 data, one format byte
    ++data;
    --size;
  }
  amf::Amf0Reader reader(data, size);
  DataMessage msg;
  if (Status st = read_name(reader, msg.name, kNameNotString); !st.is_ok()) return st;
  if (msg.name == "@setDataFrame") {
    msg.set_data_frame = true;
    if (reader.at_end()) return kNoFrameName;
    if (Status st = read_name(reader, msg.name, kNoFrameName); !st.is_ok()) return st;
  }
  while (!reader.at_end()) {
    Result<Value> v = reader.read();
    if (!v.is_ok()) return v.status();
    msg.values.push_back(std::move(v).value());
  }
  amf::amf0_write_string(msg.player_payload, msg.name);
  for (const Value& v : msg.values) amf::amf0_write(msg.player_payload, v);
  return msg;
}

}  // namespace srs::proto::rtmp
