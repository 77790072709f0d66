// A TLS identity: a certificate (chain) and its private key, from PEM files.
//
// The loader reads both files and checks them (the key matches the
// certificate) when the configuration is loaded, and keeps their text: the
// workers of a generation build their TLS contexts from exactly the bytes the
// master checked, so a certificate swapped on disk between the check and the
// fork cannot slip in, and a bad one fails the reload and changes nothing.
#pragma once

#include <string>

namespace srs::conf {

struct TlsIdentity {
  std::string certificate;               // PEM file: the certificate, then its chain
  std::string key;                       // PEM file: the private key
  std::string certificate_pem, key_pem;  // their contents, read at load

  bool empty() const { return certificate.empty() && key.empty(); }
  bool operator==(const TlsIdentity&) const = default;
};

// Reads id->certificate and id->key into the *_pem members and checks them:
// a certificate, a private key, the key matching the certificate. Empty on
// success, else what is wrong, with the file and OpenSSL's reason; *which
// is then "certificate" or "key", the key to report it at.
std::string load_tls_identity(TlsIdentity* id, const char** which);

// A warning for a certificate that is expired or not yet valid (clients
// refuse it, but a server may be set up ahead of time); empty when none.
std::string tls_validity_warning(const TlsIdentity& id);

}  // namespace srs::conf
