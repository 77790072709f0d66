// StartPack: the metadata and sequence headers a new player gets before the
// media (DESIGN.md requirement 3), copied out of the ring's sticky slots.
//
// One StartPackCache per mapped stream (LocalStream) keeps the copy and the
// slots' seqlock versions it was made from: every player that joins, and
// every keyframe jump of a slow player, reuses it until the publisher sends
// new metadata or sequence headers. So 2,000 players joining copy the
// headers once, not 2,000 times (each copy is the exact length of the value).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "shm/ring.hpp"

namespace srs::worker {

struct StartPack {
  std::vector<uint8_t> metadata, video, audio;
  uint32_t metadata_ts = 0, video_ts = 0, audio_ts = 0;
};

class StartPackCache {
 public:
  // The current pack of `ring`: the cached one while no slot changed.
  const StartPack& get(const shm::Ring& ring);
  uint64_t rebuilds() const noexcept { return rebuilds_; }

 private:
  StartPack pack_;
  std::array<uint32_t, shm::kStickyKinds> versions_{};
  bool valid_ = false;
  uint64_t rebuilds_ = 0;
};

}  // namespace srs::worker
