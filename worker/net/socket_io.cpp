// Non-blocking socket helpers (see socket_io.hpp).
#include "worker/net/socket_io.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace srs::worker {

SendResult send_buffered(int fd, const void* data, size_t size, size_t* pos, size_t* sent) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  while (*pos < size) {
    ssize_t n = ::send(fd, bytes + *pos, size - *pos, MSG_NOSIGNAL);
    if (n > 0) {
      *pos += size_t(n);
      *sent += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return SendResult::kBlocked;
    return SendResult::kError;
  }
  return SendResult::kDone;
}

}  // namespace srs::worker
