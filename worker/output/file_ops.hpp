// The file operations outputs share (on the output thread): each returns
// false with errno set, for the caller's log line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace srs::worker {

// mkdir -p of the folders above `path`.
bool make_parent_dirs(const std::string& path);
// All of data[0, n) to `fd` (EINTR retried; a write of 0 is ENOSPC).
bool write_all(int fd, const uint8_t* data, size_t n);
// `bytes` to `tmp`, then renamed to `path`: readers see the old file or the new one.
bool write_file_atomically(const std::string& path, const std::string& tmp,
                           std::span<const uint8_t> bytes);

}  // namespace srs::worker
