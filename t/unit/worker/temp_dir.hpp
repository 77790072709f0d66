// Test support for outputs that write files: a temporary folder removed with
// what is in it, the files under a folder, a file's bytes.
#pragma once

#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace srs::test {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/srs-unit-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

namespace detail {
inline void list_files(const std::string& dir, const std::string& prefix,
                       std::vector<std::string>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::stat((dir + "/" + name).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      list_files(dir + "/" + name, prefix + name + "/", out);
    } else {
      out->push_back(prefix + name);
    }
  }
  ::closedir(d);
}
}  // namespace detail

// Every file under `dir` (recursively), relative to it, sorted.
inline std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  detail::list_files(dir, "", &out);
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace srs::test
