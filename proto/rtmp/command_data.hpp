// RTMP data messages (Adobe RTMP 1.0 section 7.1.2, types 18 and 15).
//
// Encoders send metadata as "@setDataFrame", "onMetaData", {metadata}; the
// server keeps it and sends players "onMetaData", {metadata}, without the
// @setDataFrame prefix (the FMS behaviour that ffmpeg/OBS/Flash expect).
// Plain "onMetaData" from older encoders, "|RtmpSampleAccess", "onTextData",
// "onCuePoint"... are decoded generically (name + values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::rtmp {

struct DataMessage {
  std::string name;                // after @setDataFrame when there was one
  bool set_data_frame = false;     // the payload started with "@setDataFrame"
  std::vector<amf::Value> values;  // every value after the name
  // The payload players get: name + values re-encoded as AMF0, without
  // @setDataFrame (send it as message type 18).
  std::string player_payload;

  bool is_metadata() const noexcept { return name == "onMetaData"; }
  // The metadata object or ECMA array (first value with properties), or nullptr.
  const amf::Value* metadata() const noexcept;
};

// `amf3_form` is true for message type 15 (one leading 0x00 byte is skipped).
// Errors: AMF errors, "data: name is not a string", "data: @setDataFrame without a name".
base::Result<DataMessage> decode_data(const uint8_t* data, size_t size, bool amf3_form) noexcept;

}  // namespace srs::proto::rtmp
