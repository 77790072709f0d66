// RTMP messages as media records (see rtmp_media.hpp).
#include "worker/stream/rtmp_media.hpp"

#include "proto/rtmp/command_data.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

bool metadata_of(const rtmp::Message& msg, MediaRecord* out, std::string* scratch) {
  bool amf3 = msg.header.type_id == rtmp::kTypeDataAmf3;
  base::Result<rtmp::DataMessage> data =
      rtmp::decode_data(msg.payload.data(), msg.payload.size(), amf3);
  if (!data.is_ok() || !data->is_metadata()) return false;
  *scratch = std::move(data->player_payload);
  out->kind = MediaKind::kMetadata;
  out->body = {reinterpret_cast<const uint8_t*>(scratch->data()), scratch->size()};
  return true;
}

}  // namespace

bool media_record_of(const rtmp::Message& msg, MediaRecord* out, std::string* scratch) {
  out->timestamp = msg.header.timestamp;
  switch (msg.header.type_id) {
    case rtmp::kTypeAudio:
      out->kind = MediaKind::kAudio;
      out->body = msg.payload;
      return true;
    case rtmp::kTypeVideo:
      out->kind = MediaKind::kVideo;
      out->body = msg.payload;
      return true;
    case rtmp::kTypeDataAmf0:
    case rtmp::kTypeDataAmf3:
      return metadata_of(msg, out, scratch);
    default:
      return false;
  }
}

uint8_t rtmp_type_of(shm::RecordType type) noexcept {
  switch (type) {
    case shm::RecordType::kAudio:
      return proto::rtmp::kTypeAudio;
    case shm::RecordType::kVideo:
      return proto::rtmp::kTypeVideo;
    default:
      return proto::rtmp::kTypeDataAmf0;
  }
}

}  // namespace srs::worker
