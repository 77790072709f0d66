// Byte counters sampled over time for the API's kbps (see traffic_sampler.hpp).
#include "worker/api/traffic_sampler.hpp"

#include "base/clock.hpp"

namespace srs::worker {
namespace {

// Start times are whole wall seconds: a lifetime under one second counts as one.
int64_t lifetime_ms(uint32_t now_wall, uint32_t since) {
  const int64_t ms = int64_t(now_wall - since) * 1000;
  return ms < 1000 ? 1000 : ms;
}

uint64_t kbps_of(uint64_t bytes, int64_t ms) {
  return ms > 0 ? bytes * 8 / uint64_t(ms) : 0;  // bits per ms = kbit/s
}

// A sample younger than this says little: the lifetime average instead.
constexpr int64_t kMinWindowMs = 1000;

uint64_t growth(uint64_t now, uint64_t then) {
  return now > then ? now - then : 0;
}

}  // namespace

TrafficSampler::TrafficSampler(event_base* base, const shm::Control& control)
    : base_(base), control_(control) {}

void TrafficSampler::activate() {
  if (timer_ != nullptr || base_ == nullptr) return;
  timer_ = make_timer(base_, on_timer, this, EV_PERSIST);
  add_after_ms(timer_.get(), kStepMs);
}

void TrafficSampler::on_timer(evutil_socket_t, short, void* arg) {
  static_cast<TrafficSampler*>(arg)->sample(base::mono_ms());
}

void TrafficSampler::sample(int64_t now_ms) {
  const shm::Registry& reg = control_.registry();
  const shm::ClientTable& table = control_.clients();
  const size_t ns = reg.capacity(), nc = table.capacity();
  if (streams_.empty()) streams_.resize(kSamples * ns);
  if (clients_.empty()) clients_.resize(kSamples * nc);
  StreamSample* ss = &streams_[size_t(next_) * ns];
  for (uint32_t i = 0; i < ns; ++i) {
    shm::StreamInfo info;
    const bool live = reg.read(i, &info);
    ss[i] = StreamSample{info.generation, live, info.bytes_in};
  }
  ClientSample* cs = &clients_[size_t(next_) * nc];
  for (uint32_t i = 0; i < nc; ++i) {
    shm::ClientInfo info;
    const bool active = table.read(i, &info);
    cs[i] = ClientSample{info.incarnation, active, info.bytes_in, info.bytes_out};
  }
  at_ms_[next_] = now_ms;
  next_ = (next_ + 1) % kSamples;
  if (taken_ < kSamples) ++taken_;
}

Kbps TrafficSampler::stream(const shm::StreamInfo& s, int64_t now_ms, uint32_t now_wall) const {
  const size_t ns = control_.registry().capacity();
  for (int k = 0; k < taken_ && s.slot < ns; ++k) {
    const int idx = (oldest() + k) % kSamples;
    const StreamSample& old = streams_[size_t(idx) * ns + s.slot];
    if (now_ms - at_ms_[idx] < kMinWindowMs) break;
    if (old.live && old.generation == s.generation) {
      return Kbps{kbps_of(growth(s.bytes_in, old.in), now_ms - at_ms_[idx]), 0};
    }
  }
  return Kbps{kbps_of(s.bytes_in, lifetime_ms(now_wall, s.published_at)), 0};
}

Kbps TrafficSampler::client(const shm::ClientInfo& c, int64_t now_ms, uint32_t now_wall) const {
  const size_t nc = control_.clients().capacity();
  for (int k = 0; k < taken_ && c.index < nc; ++k) {
    const int idx = (oldest() + k) % kSamples;
    const ClientSample& old = clients_[size_t(idx) * nc + c.index];
    if (now_ms - at_ms_[idx] < kMinWindowMs) break;
    if (old.active && old.incarnation == c.incarnation) {
      const int64_t ms = now_ms - at_ms_[idx];
      return Kbps{kbps_of(growth(c.bytes_in, old.in), ms),
                  kbps_of(growth(c.bytes_out, old.out), ms)};
    }
  }
  const int64_t ms = lifetime_ms(now_wall, c.started_at);
  return Kbps{kbps_of(c.bytes_in, ms), kbps_of(c.bytes_out, ms)};
}

}  // namespace srs::worker
