// srs: the command line entry point (see man/srs.8).
#include <cstdio>
#include <cstring>

#include "base/version.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "-V") == 0) {
    std::fputs(srs::base::build_description().c_str(), stdout);
    return 0;
  }
  return 0;
}
