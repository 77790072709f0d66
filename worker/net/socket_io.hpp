// Small helpers for the worker's raw non-blocking sockets, shared by every
// kind of connection (RTMP, HTTP).
#pragma once

#include <cstddef>
#include <cstdint>

namespace srs::worker {

enum class SendResult : uint8_t {
  kDone,     // everything from *pos on was sent
  kBlocked,  // the socket is full: arm EV_WRITE and come back
  kError,    // errno says why: close the connection
};

// Sends data[*pos..size) with send(MSG_NOSIGNAL), retrying EINTR; advances
// *pos and adds the bytes sent to *sent.
SendResult send_buffered(int fd, const void* data, size_t size, size_t* pos, size_t* sent);

}  // namespace srs::worker
