// The start pack of a stream, copied once per change (see start_pack.hpp).
#include "worker/stream/start_pack.hpp"

namespace srs::worker {
namespace {

constexpr int kLoadTries = 4;  // the value may grow between info() and load()

// The value of one sticky slot, exactly its length; empty when absent.
void load_sticky(const shm::StickySlot& slot, std::vector<uint8_t>* out, uint32_t* ts) {
  out->clear();
  shm::StickyInfo info = slot.info();
  for (int i = 0; i < kLoadTries && info.present(); i++) {
    out->resize(info.length);
    if (slot.load(out->data(), out->size(), &info).is_ok()) {
      if (!info.present()) break;
      out->resize(info.length);
      *ts = info.timestamp;
      return;
    }
  }
  out->clear();
}

}  // namespace

const StartPack& StartPackCache::get(const shm::Ring& ring) {
  std::array<uint32_t, shm::kStickyKinds> now{};
  for (uint32_t k = 0; k < shm::kStickyKinds; k++)
    now[k] = ring.sticky(shm::StickyKind(k)).version();
  if (valid_ && now == versions_) return pack_;
  load_sticky(ring.sticky(shm::StickyKind::kMetadata), &pack_.metadata, &pack_.metadata_ts);
  load_sticky(ring.sticky(shm::StickyKind::kVideoHeader), &pack_.video, &pack_.video_ts);
  load_sticky(ring.sticky(shm::StickyKind::kAudioHeader), &pack_.audio, &pack_.audio_ts);
  // Versions read before the copies: a store in between shows next time.
  versions_ = now;
  valid_ = true;
  rebuilds_++;
  return pack_;
}

}  // namespace srs::worker
