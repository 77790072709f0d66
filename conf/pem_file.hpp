// PEM files the configuration names (certificates, keys), read and checked
// at load time so that a bad file is reported with its key path, and the
// workers use exactly the text that was checked.
#pragma once

#include <string>

namespace srs::conf {

// The whole file into *text (at most 1 MiB); empty on success, else why not.
std::string read_pem_file(const std::string& path, std::string* text);

// OpenSSL's newest reason on this thread ("no start line"), its queue emptied.
std::string openssl_reason();

// Empty when `pem` (read from `path`) holds a public key (RS256), else why not.
std::string check_public_key_pem(const std::string& pem, const std::string& path);

}  // namespace srs::conf
