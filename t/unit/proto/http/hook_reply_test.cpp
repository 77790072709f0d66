// The verdict of a callback server's reply, as SRS's do_post decides it:
// what accepts a publish and what refuses it.
#include "proto/http/hook_reply.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace srs::proto::http;

TEST_CASE("hook replies that accept") {
  CHECK(parse_hook_reply(200, "0") == HookReply::kAccept);
  CHECK(parse_hook_reply(201, "0") == HookReply::kAccept);
  CHECK(parse_hook_reply(200, " 0\r\n") == HookReply::kAccept);
  CHECK(parse_hook_reply(200, "{\"code\":0}") == HookReply::kAccept);
  CHECK(
      parse_hook_reply(
          200,
          "{ \"code\" : 0 , \"msg\": \"ok\", \"data\": {\"code\": 5, \"x\": [1, \"a\", null]}}") ==
      HookReply::kAccept);
  CHECK(parse_hook_reply(200, "{\"msg\":\"\\\"q\\u00e9\",\"code\":-0}") == HookReply::kAccept);
}

TEST_CASE("hook replies that refuse") {
  CHECK(parse_hook_reply(500, "0") == HookReply::kBadStatus);
  CHECK(parse_hook_reply(204, "") == HookReply::kBadStatus);
  CHECK(parse_hook_reply(302, "0") == HookReply::kBadStatus);
  CHECK(parse_hook_reply(200, "") == HookReply::kEmpty);
  CHECK(parse_hook_reply(200, " \n") == HookReply::kEmpty);
  CHECK(parse_hook_reply(200, "1") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "{\"code\":1}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "\"0\"") == HookReply::kRefused);  // SRS issue 3215
  CHECK(parse_hook_reply(200, "{\"code\":\"0\"}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "{\"code\":0.0}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "{\"code\":0e0}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "{}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "{\"data\":{\"code\":0}}") == HookReply::kRefused);  // not top level
  CHECK(parse_hook_reply(200, "{\"code\":0,\"code\":2}") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "[0]") == HookReply::kRefused);
  CHECK(parse_hook_reply(200, "null") == HookReply::kRefused);
}

TEST_CASE("hook replies that are not JSON") {
  for (const char* body : {"ok", "0 0", "00", "01", "0x", "{", "{\"code\":0", "{\"code\" 0}",
                           "{code:0}", "{\"code\":0,}", "-", "0.", "1e", "\"abc", "{\"a\":tru}",
                           "<html>0</html>", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}"}) {
    CAPTURE(body);
    CHECK(parse_hook_reply(200, body) == HookReply::kMalformed);
  }
  std::string control = "{\"a\":\"x\ny\",\"code\":0}";
  CHECK(parse_hook_reply(200, control) == HookReply::kMalformed);
}

TEST_CASE("deep nesting is bounded, not a stack overflow") {
  std::string deep(100000, '[');
  CHECK(parse_hook_reply(200, deep) == HookReply::kMalformed);
  std::string ok = "{\"code\":0,\"x\":" + std::string(kMaxDepth - 1, '[') +
                   std::string(kMaxDepth - 1, ']') + "}";
  CHECK(parse_hook_reply(200, ok) == HookReply::kAccept);
  std::string object_deep = "{\"code\":0,\"x\":";
  for (int i = 0; i < 1000; i++) object_deep += "{\"a\":";
  CHECK(parse_hook_reply(200, object_deep) == HookReply::kMalformed);
}

TEST_CASE("every verdict has a text for the log") {
  CHECK(std::string(hook_reply_text(HookReply::kAccept)) == "accepted");
  CHECK(std::string(hook_reply_text(HookReply::kEmpty)) == "empty body");
}
