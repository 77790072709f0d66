// Static files under a root (see http_static.hpp).
#include "worker/http/http_static.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "proto/http/mime.hpp"
#include "proto/http/range.hpp"

namespace srs::worker {
namespace {

namespace http = proto::http;

bool real_path(const std::string& in, std::string* out, int* err) {
  char buf[PATH_MAX];
  if (!::realpath(in.c_str(), buf)) {
    *err = errno;
    return false;
  }
  *out = buf;
  return true;
}

StaticFile failed(int status, std::string why) {
  StaticFile f;
  f.status = status;
  f.why = std::move(why);
  return f;
}

void apply_range(const std::string* range, StaticFile* f) {
  f->offset = 0;
  f->length = f->size;
  if (!range) return;
  http::ByteRange r;
  switch (http::parse_range(*range, f->size, &r)) {
    case http::RangeKind::kNone:
      return;
    case http::RangeKind::kUnsatisfiable:
      f->status = 416;
      f->fd.reset();
      f->length = 0;
      f->content_range = "bytes */" + std::to_string(f->size);
      f->why = "range not satisfiable: " + *range;
      return;
    case http::RangeKind::kSingle:
      f->status = 206;
      f->offset = r.first;
      f->length = r.length();
      f->content_range = "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
                         std::to_string(f->size);
      return;
  }
}

}  // namespace

StaticFile open_static(const std::string& root, const std::string& path, const std::string* range) {
  std::string root_real, real;
  int err = 0;
  if (!real_path(root, &root_real, &err)) {
    return failed(404, "root " + root + " unusable (" + std::strerror(err) + ")");
  }
  std::string full = root_real + path;
  if (!path.empty() && path.back() == '/') full += "index.html";
  if (!real_path(full, &real, &err)) {
    return failed(err == EACCES ? 403 : 404,
                  std::string("no such file (") + std::strerror(err) + ")");
  }
  // A symbolic link may lead out of the root: judge the real path.
  if (real != root_real && real.compare(0, root_real.size() + 1, root_real + "/") != 0) {
    return failed(403, "resolves outside the root: " + real);
  }
  StaticFile f;
  f.fd.reset(::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!f.fd.valid()) {
    return failed(errno == EACCES ? 403 : 404,
                  std::string("open() failed (") + std::strerror(errno) + ")");
  }
  struct stat st {};
  if (::fstat(f.fd.get(), &st) != 0) return failed(404, "fstat() failed");
  if (S_ISDIR(st.st_mode)) return failed(404, "a directory");
  if (!S_ISREG(st.st_mode)) return failed(403, "not a regular file");
  f.status = 200;
  f.size = uint64_t(st.st_size);
  f.content_type = http::mime_type(real);
  apply_range(range, &f);
  return f;
}

}  // namespace srs::worker
