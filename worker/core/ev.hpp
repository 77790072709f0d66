// Owners of libevent objects: each a std::unique_ptr with the object's own
// free function, so that no member is freed by hand and a class's members
// go in the reverse order of their declaration (the event base last: declare
// it first).
//
//   EventPtr ev = make_event(base, fd, EV_READ | EV_PERSIST, on_read, this);
//   EventPtr timer = make_timer(base, on_timer, this);
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <memory>

namespace srs::worker {

template <typename T, void (*Free)(T*)>
struct EvDeleter {
  void operator()(T* p) const noexcept {
    if (p != nullptr) Free(p);
  }
};

using EventBasePtr = std::unique_ptr<event_base, EvDeleter<event_base, event_base_free>>;
using EventPtr = std::unique_ptr<event, EvDeleter<event, event_free>>;
using ListenerPtr = std::unique_ptr<evconnlistener, EvDeleter<evconnlistener, evconnlistener_free>>;

inline EventPtr make_event(event_base* base, evutil_socket_t fd, short what, event_callback_fn cb,
                           void* arg) noexcept {
  return EventPtr(event_new(base, fd, what, cb, arg));
}

inline EventPtr make_timer(event_base* base, event_callback_fn cb, void* arg,
                           short what = 0) noexcept {
  return EventPtr(event_new(base, -1, what, cb, arg));
}

// Adds `ev` with a timeout of `ms` milliseconds (replacing a pending one).
inline void add_after_ms(event* ev, int64_t ms) noexcept {
  timeval tv{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
  event_add(ev, &tv);
}

}  // namespace srs::worker
