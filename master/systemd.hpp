// systemd's readiness protocol (sd_notify) without libsystemd: one datagram
// to $NOTIFY_SOCKET. A no-op when the variable is absent (not under systemd).
#pragma once

#include <string>

namespace srs::master {

// Sends `state` ("READY=1\nSTATUS=..."); returns false only on a send error.
bool sd_notify(const std::string& state);
// "RELOADING=1" with the MONOTONIC_USEC field systemd >= 253 expects.
bool sd_notify_reloading();

}  // namespace srs::master
