// RTMP command decoding, Adobe RTMP 1.0 section 7.2 plus the de-facto commands.
#include "proto/rtmp/command.hpp"

#include <string_view>

#include "proto/amf/amf0_reader.hpp"

namespace srs::proto::rtmp {

using amf::Value;
using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kNameNotString = Status::fail(Errc::kInvalid, "command: name is not a string");
constexpr Status kTxnNotNumber =
    Status::fail(Errc::kInvalid, "command: transaction id is not a number");
constexpr Status kConnectNoObject =
    Status::fail(Errc::kInvalid, "connect: command object is not an object");
constexpr Status kConnectNoTcUrl = Status::fail(Errc::kInvalid, "connect: no tcUrl");
constexpr Status kPublishNoName = Status::fail(Errc::kInvalid, "publish: no stream name");
constexpr Status kPlayNoName = Status::fail(Errc::kInvalid, "play: no stream name");
constexpr Status kPauseNoFlag = Status::fail(Errc::kInvalid, "pause: no pause flag");

// Section 7.2: name, transaction id, then every remaining value (command object first).
struct Envelope {
  std::string name;
  double txn = 0;
  std::vector<Value> args;

  const Value* arg(size_t i) const noexcept { return i < args.size() ? &args[i] : nullptr; }
  std::string string_arg(size_t i) const {
    const Value* v = arg(i);
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  }
  double number_arg(size_t i, double fallback) const noexcept {
    const Value* v = arg(i);
    return v != nullptr && v->is_number() ? v->as_number() : fallback;
  }
};

Status read_envelope(const uint8_t* data, size_t size, bool amf3_form, Envelope& out) {
  // 7.1.1: an AMF3 command message starts with one 0x00 format byte.
  if (amf3_form && size > 0 && data[0] == 0x00) {
    ++data;
    --size;
  }
  amf::Amf0Reader reader(data, size);
  Result<Value> name = reader.read();
  if (!name.is_ok()) return name.status();
  if (!name->is_string()) return kNameNotString;
  out.name = name->as_string();
  Result<Value> txn = reader.read();
  if (!txn.is_ok()) return txn.status();
  if (!txn->is_number()) return kTxnNotNumber;
  out.txn = txn->as_number();
  while (!reader.at_end()) {
    Result<Value> v = reader.read();
    if (!v.is_ok()) return v.status();
    out.args.push_back(std::move(v).value());
  }
  return Status::ok();
}

// 7.2.1.1: the command object's name-value pairs.
Result<Command> make_connect(Envelope& e) {
  if (e.args.empty() || !e.args[0].has_properties()) return kConnectNoObject;
  ConnectCommand c;
  c.txn = e.txn;
  const Value& o = e.args[0];
  const Value* tc_url = o.get("tcUrl");
  if (tc_url == nullptr || !tc_url->is_string()) return kConnectNoTcUrl;
  c.tc_url = tc_url->as_string();
  c.app = o.get_string("app");
  c.flash_ver = o.get_string("flashVer");
  c.swf_url = o.get_string("swfUrl");
  c.page_url = o.get_string("pageUrl");
  c.object_encoding = o.get_number("objectEncoding");
  c.capabilities = o.get_number("capabilities");
  c.audio_codecs = o.get_number("audioCodecs");
  c.video_codecs = o.get_number("videoCodecs");
  if (const Value* list = o.get("fourCcList"); list != nullptr) {
    for (const Value& item : list->items()) {
      if (item.is_string()) c.four_cc_list.push_back(item.as_string());
    }
  }
  c.object = std::move(e.args[0]);
  c.args.assign(std::make_move_iterator(e.args.begin() + 1), std::make_move_iterator(e.args.end()));
  return Command(std::move(c));
}

template <typename T>
Result<Command> make_named(Envelope& e) {
  T c;
  c.txn = e.txn;
  c.name = e.string_arg(1);
  return Command(std::move(c));
}

template <typename T>
Result<Command> make_txn_only(Envelope& e) {
  T c;
  c.txn = e.txn;
  return Command(std::move(c));
}

// 7.2.2.6: publish(name, type).
Result<Command> make_publish(Envelope& e) {
  const Value* name = e.arg(1);
  if (name == nullptr || !name->is_string()) return kPublishNoName;
  PublishCommand c;
  c.txn = e.txn;
  c.name = name->as_string();
  if (const Value* type = e.arg(2); type != nullptr && type->is_string())
    c.type = type->as_string();
  return Command(std::move(c));
}

// 7.2.2.1: play(name, start, duration, reset); reset may be a boolean or a number.
Result<Command> make_play(Envelope& e) {
  const Value* name = e.arg(1);
  if (name == nullptr || !name->is_string()) return kPlayNoName;
  PlayCommand c;
  c.txn = e.txn;
  c.name = name->as_string();
  c.start = e.number_arg(2, -2);
  c.duration = e.number_arg(3, -1);
  if (const Value* reset = e.arg(4);
      reset != nullptr && (reset->is_boolean() || reset->is_number())) {
    c.reset = reset->as_boolean();
  }
  return Command(std::move(c));
}

// 7.2.2.2: play2(NetStreamPlayOptions).
Result<Command> make_play2(Envelope& e) {
  Play2Command c;
  c.txn = e.txn;
  if (const Value* p = e.arg(1); p != nullptr && p->has_properties()) c.params = *p;
  c.name = c.params.get_string("streamName");
  c.old_name = c.params.get_string("oldStreamName");
  c.transition = c.params.get_string("transition");
  c.start = c.params.get_number("start", -2);
  c.duration = c.params.get_number("len", -1);
  return Command(std::move(c));
}

// 7.2.2.8: pause(flag, milliseconds).
Result<Command> make_pause(Envelope& e) {
  const Value* flag = e.arg(1);
  if (flag == nullptr || !(flag->is_boolean() || flag->is_number())) return kPauseNoFlag;
  PauseCommand c;
  c.txn = e.txn;
  c.pause = flag->as_boolean();
  c.ms = e.number_arg(2, 0);
  return Command(std::move(c));
}

Result<Command> make_delete_stream(Envelope& e) {
  DeleteStreamCommand c;
  c.txn = e.txn;
  c.stream_id = e.number_arg(1, 0);
  return Command(std::move(c));
}

template <typename T>
Result<Command> make_receive(Envelope& e) {
  T c;
  c.txn = e.txn;
  if (const Value* f = e.arg(1); f != nullptr && (f->is_boolean() || f->is_number())) {
    c.flag = f->as_boolean();
  }
  return Command(std::move(c));
}

Result<Command> make_result(Envelope& e) {
  ResultCommand c;
  c.error = e.name == "_error";
  c.txn = e.txn;
  c.args = std::move(e.args);
  return Command(std::move(c));
}

// onStatus: the information object is the first object (after the null).
Result<Command> make_on_status(Envelope& e) {
  OnStatusCommand c;
  c.txn = e.txn;
  for (Value& v : e.args) {
    if (!v.has_properties()) continue;
    c.info = std::move(v);
    break;
  }
  return Command(std::move(c));
}

Result<Command> make_generic(Envelope& e) {
  GenericCommand c;
  c.name = std::move(e.name);
  c.txn = e.txn;
  c.args = std::move(e.args);
  return Command(std::move(c));
}

struct Builder {
  std::string_view name;
  Result<Command> (*make)(Envelope&);
};

constexpr Builder kBuilders[] = {
    {"connect", make_connect},
    {"createStream", make_txn_only<CreateStreamCommand>},
    {"releaseStream", make_named<ReleaseStreamCommand>},
    {"FCPublish", make_named<FcPublishCommand>},
    {"FCUnpublish", make_named<FcUnpublishCommand>},
    {"FCSubscribe", make_named<FcSubscribeCommand>},
    {"getStreamLength", make_named<GetStreamLengthCommand>},
    {"publish", make_publish},
    {"play", make_play},
    {"play2", make_play2},
    {"pause", make_pause},
    {"deleteStream", make_delete_stream},
    {"closeStream", make_txn_only<CloseStreamCommand>},
    {"receiveAudio", make_receive<ReceiveAudioCommand>},
    {"receiveVideo", make_receive<ReceiveVideoCommand>},
    {"_checkbw", make_txn_only<CheckBwCommand>},
    {"_result", make_result},
    {"_error", make_result},
    {"onStatus", make_on_status},
    {"onBWDone", make_txn_only<OnBwDoneCommand>},
};

// Names in variant order, for command_name().
constexpr const char* kNames[] = {
    "connect",     "createStream",    "releaseStream", "FCPublish",    "FCUnpublish",
    "FCSubscribe", "getStreamLength", "publish",       "play",         "play2",
    "pause",       "deleteStream",    "closeStream",   "receiveAudio", "receiveVideo",
    "_checkbw",    "_result",         "onStatus",      "onBWDone",     "",
};
static_assert(std::size(kNames) == std::variant_size_v<Command>);

}  // namespace

const Value* ResultCommand::info() const noexcept {
  for (const Value& v : args) {
    if (v.has_properties() && v.get("code") != nullptr) return &v;
  }
  return nullptr;
}

Result<Command> decode_command(const uint8_t* data, size_t size, bool amf3_form) noexcept {
  Envelope e;
  if (Status st = read_envelope(data, size, amf3_form, e); !st.is_ok()) return st;
  for (const Builder& b : kBuilders) {
    if (b.name == e.name) return b.make(e);
  }
  return make_generic(e);
}

std::string command_name(const Command& command) {
  if (const auto* g = std::get_if<GenericCommand>(&command)) return g->name;
  if (const auto* r = std::get_if<ResultCommand>(&command)) return r->error ? "_error" : "_result";
  return kNames[command.index()];
}

double command_txn(const Command& command) noexcept {
  return std::visit([](const auto& c) { return c.txn; }, command);
}

}  // namespace srs::proto::rtmp
