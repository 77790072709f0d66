// The RTMP messages that carry media, as the neutral records a Publisher
// takes (stream/media_record.hpp): audio (8) and video (9) bodies as they
// are, and a data message (18, or 15 in its AMF3 form) only when it is
// onMetaData, re-encoded as the AMF0 value players get (without
// @setDataFrame; proto/rtmp/command_data.hpp). Anything else is not media.
// Used by the RTMP publisher's connection and the edge's upstream play.
#pragma once

#include <string>

#include "proto/rtmp/message.hpp"
#include "shm/ring_layout.hpp"
#include "worker/stream/media_record.hpp"

namespace srs::worker {

// True and `*out` set when `msg` is media; `*scratch` holds the re-encoded
// metadata for as long as `*out` is used.
bool media_record_of(const proto::rtmp::Message& msg, MediaRecord* out, std::string* scratch);

// The other way, for an RTMP framing: the message type of a ring record
// (audio 8, video 9, anything else data 18).
uint8_t rtmp_type_of(shm::RecordType type) noexcept;

}  // namespace srs::worker
