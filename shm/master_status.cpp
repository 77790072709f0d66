// MasterStatus: the reload verdict under a seqlock; see master_status.hpp.
#include "shm/master_status.hpp"

#include <cstring>

#include "shm/control_word.hpp"  // store_text / load_text: text in Atomic32 words
#include "shm/ring_fence.hpp"    // fence(): also under TSan

namespace srs::shm {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr std::size_t kErrorWords = kReloadErrorBytes / 4;
constexpr int kReadRetries = 1000;

bool utf8_continuation(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

const char* reload_state_name(ReloadState s) noexcept {
  switch (s) {
    case ReloadState::kIdle:
      return "idle";
    case ReloadState::kInProgress:
      return "in progress";
    case ReloadState::kSucceeded:
      return "succeeded";
    case ReloadState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::size_t clip_error_text(std::string_view text, char (&out)[kReloadErrorBytes]) noexcept {
  // store_text keeps one byte for a NUL, so the usable size is one less.
  constexpr std::size_t kUsable = kReloadErrorBytes - 1;
  if (text.size() <= kUsable) {
    std::memcpy(out, text.data(), text.size());
    return text.size();
  }
  std::size_t keep = kUsable - kTruncatedMarker.size();
  while (keep > 0 && utf8_continuation(text[keep])) --keep;  // text[keep] starts the cut part
  std::memcpy(out, text.data(), keep);
  std::memcpy(out + keep, kTruncatedMarker.data(), kTruncatedMarker.size());
  return keep + kTruncatedMarker.size();
}

void MasterStatus::write_begin() noexcept {
  b_->seqlock.store(b_->seqlock.load(kRelaxed) + 1, kRelaxed);  // odd: readers retry
  fence(kRelease);
}

void MasterStatus::write_end() noexcept {
  b_->seqlock.store(b_->seqlock.load(kRelaxed) + 1, kRelease);  // even again
}

void MasterStatus::set_generation(uint32_t generation) noexcept {
  write_begin();
  b_->generation.store(generation, kRelaxed);
  write_end();
}

uint32_t MasterStatus::begin_reload(uint32_t now_wall) noexcept {
  write_begin();
  const uint32_t seq = b_->seq.load(kRelaxed) + 1;
  b_->seq.store(seq, kRelaxed);
  b_->state.store(static_cast<uint32_t>(ReloadState::kInProgress), kRelaxed);
  b_->started_at.store(now_wall, kRelaxed);
  write_end();
  return seq;
}

void MasterStatus::set_pending(uint32_t pending) noexcept {
  write_begin();
  b_->pending.store(pending, kRelaxed);
  write_end();
}

void MasterStatus::succeed(uint32_t generation, uint32_t now_wall) noexcept {
  write_begin();
  b_->state.store(static_cast<uint32_t>(ReloadState::kSucceeded), kRelaxed);
  b_->generation.store(generation, kRelaxed);
  b_->pending.store(0, kRelaxed);
  b_->reloads_ok.store(b_->reloads_ok.load(kRelaxed) + 1, kRelaxed);
  b_->finished_at.store(now_wall, kRelaxed);
  b_->error_size.store(0, kRelaxed);
  write_end();
}

void MasterStatus::fail(std::string_view errors, uint32_t now_wall) noexcept {
  char clipped[kReloadErrorBytes];
  const std::size_t size = clip_error_text(errors, clipped);
  write_begin();
  b_->state.store(static_cast<uint32_t>(ReloadState::kFailed), kRelaxed);
  b_->pending.store(0, kRelaxed);
  b_->reloads_failed.store(b_->reloads_failed.load(kRelaxed) + 1, kRelaxed);
  b_->finished_at.store(now_wall, kRelaxed);
  b_->error_size.store(store_text(b_->error, kErrorWords, {clipped, size}), kRelaxed);
  write_end();
}

bool MasterStatus::read(ReloadStatus* out) const noexcept {
  for (int attempt = 0; attempt < kReadRetries; ++attempt) {
    const uint32_t s0 = b_->seqlock.load(kAcquire);
    if (s0 & 1) continue;
    out->seq = b_->seq.load(kRelaxed);
    out->state = static_cast<ReloadState>(b_->state.load(kRelaxed));
    out->generation = b_->generation.load(kRelaxed);
    out->pending = b_->pending.load(kRelaxed);
    out->reloads_ok = b_->reloads_ok.load(kRelaxed);
    out->reloads_failed = b_->reloads_failed.load(kRelaxed);
    out->started_at = b_->started_at.load(kRelaxed);
    out->finished_at = b_->finished_at.load(kRelaxed);
    const uint32_t size = b_->error_size.load(kRelaxed);
    load_text(b_->error, kErrorWords, out->error);
    fence(kAcquire);
    if (b_->seqlock.load(kRelaxed) != s0) continue;
    out->error_size = size < kReloadErrorBytes ? size : kReloadErrorBytes - 1;
    if (out->state > ReloadState::kFailed) out->state = ReloadState::kIdle;
    return true;
  }
  return false;
}

}  // namespace srs::shm
