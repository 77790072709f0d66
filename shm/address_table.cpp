// Connections per address (see address_table.hpp).
#include "shm/address_table.hpp"

namespace srs::shm {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcqRel = std::memory_order_acq_rel;
constexpr uint32_t kMinWords = 1024;

constexpr uint32_t tag_of(uint32_t w) noexcept {
  return w >> 16;
}
constexpr uint32_t count_of(uint32_t w) noexcept {
  return w & 0xFFFFu;
}

uint64_t fnv1a(std::string_view text) noexcept {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

uint32_t AddressTable::words_for(uint32_t max_clients) noexcept {
  uint32_t n = kMinWords;
  while (n < 2 * uint64_t{max_clients}) n <<= 1;
  return n;
}

AddressTable::Key AddressTable::key_of(std::string_view ip) const noexcept {
  const uint64_t h = fnv1a(ip);
  uint32_t tag = uint32_t(h >> 48);
  if (tag == 0) tag = 1;
  return {uint32_t(h) & mask_, tag};
}

bool AddressTable::acquire(std::string_view ip) noexcept {
  if (words_ == nullptr) return false;
  const Key k = key_of(ip);
  for (int attempt = 0; attempt < 8; ++attempt) {
    Atomic32* reusable = nullptr;
    uint32_t reusable_word = 0;
    for (uint32_t i = 0; i < kMaxProbe; ++i) {
      Atomic32& slot = words_[(k.home + i) & mask_];
      uint32_t w = slot.load(kRelaxed);
      if (tag_of(w) == k.tag && count_of(w) > 0) {  // the address's word: one more
        while (tag_of(w) == k.tag && count_of(w) > 0) {
          if (count_of(w) == kMaxCount) return false;
          if (slot.compare_exchange_weak(w, w + 1, kAcqRel)) return true;
        }
        break;  // it changed under us: start over
      }
      if (reusable == nullptr && count_of(w) == 0) {
        reusable = &slot;
        reusable_word = w;
      }
      if (w == 0) break;  // never used: the address has no word further on
    }
    if (reusable == nullptr) return false;
    if (reusable->compare_exchange_strong(reusable_word, (k.tag << 16) | 1u, kAcqRel)) return true;
  }
  return false;
}

void AddressTable::release(std::string_view ip) noexcept {
  if (words_ == nullptr) return;
  const Key k = key_of(ip);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    Atomic32& slot = words_[(k.home + i) & mask_];
    uint32_t w = slot.load(kRelaxed);
    while (tag_of(w) == k.tag && count_of(w) > 0) {
      if (slot.compare_exchange_weak(w, w - 1, kAcqRel)) return;
    }
    if (w == 0) return;
  }
}

uint32_t AddressTable::count(std::string_view ip) const noexcept {
  if (words_ == nullptr) return 0;
  const Key k = key_of(ip);
  uint32_t total = 0;
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    uint32_t w = words_[(k.home + i) & mask_].load(kRelaxed);
    if (w == 0) break;
    if (tag_of(w) == k.tag) total += count_of(w);
  }
  return total;
}

}  // namespace srs::shm
