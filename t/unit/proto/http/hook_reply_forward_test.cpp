// The forward backend's answer (SRS's on_forward): the verdict as for every
// callback, and on acceptance the destinations in {"data":{"urls":[...]}}.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/http/hook_reply.hpp"

using namespace srs::proto::http;

namespace {

using Urls = std::vector<std::string>;

// The verdict; `*urls` what it kept. The vector starts dirty: the parser
// must clear it whatever it answers.
HookReply forward(int status, std::string_view body, Urls* urls) {
  *urls = {"stale"};
  return parse_forward_reply(status, body, urls);
}

}  // namespace

TEST_CASE("forward reply: code 0 and data.urls gives every URL, in order") {
  Urls urls;
  CHECK(forward(200, R"({"code":0,"data":{"urls":["rtmp://a/b/c","rtmp://d/e/f"]}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c", "rtmp://d/e/f"});
  CHECK(forward(201, R"( { "code" : 0 , "data" : { "urls" : [ "rtmp://a/b/c" ] } } )", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c"});
  // "code" after "data": the URLs were already collected and are kept.
  CHECK(forward(200, R"({"data":{"urls":["rtmp://x/y/z"]},"code":0})", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://x/y/z"});
  // An accepted answer without URLs: nothing more to forward.
  CHECK(forward(200, R"({"code":0})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, "0", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"data":{"urls":[]}})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  // Empty strings are kept as given (the caller checks each URL).
  CHECK(forward(200, R"({"code":0,"data":{"urls":["",""]}})", &urls) == HookReply::kAccept);
  CHECK(urls == Urls{"", ""});
}

TEST_CASE("forward reply: escapes in the URLs are decoded") {
  Urls urls;
  CHECK(forward(200, R"({"code":0,"data":{"urls":["rtmp:\/\/a\/b\/c?k=\"v\"&p=\\"]}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c?k=\"v\"&p=\\"});
  CHECK(forward(200, R"({"code":0,"data":{"urls":["rtmp://\u0061/b/c","x\u00e9y","\t\n"]}})",
                &urls) == HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c", "x?y", "\t\n"});  // outside ASCII: '?'
  // Escaped member names are names all the same.
  CHECK(forward(200, R"({"code":0,"d\u0061ta":{"url\u0073":["rtmp://a/b/c"]}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c"});
}

TEST_CASE("forward reply: a refusal keeps no URLs") {
  Urls urls;
  CHECK(forward(200, R"({"code":1,"data":{"urls":["rtmp://a/b/c"]}})", &urls) ==
        HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"data":{"urls":["rtmp://a/b/c"]},"code":1})", &urls) ==
        HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"data":{"urls":["rtmp://a/b/c"]}})", &urls) == HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":"0","data":{"urls":["rtmp://a/b/c"]}})", &urls) ==
        HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0.0,"data":{"urls":["rtmp://a/b/c"]}})", &urls) ==
        HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, "1", &urls) == HookReply::kRefused);
  CHECK(urls.empty());
  CHECK(forward(200, R"(["rtmp://a/b/c"])", &urls) == HookReply::kRefused);
  CHECK(urls.empty());
}

TEST_CASE("forward reply: a bad status, an empty or malformed body keeps no URLs") {
  Urls urls;
  const char* good = R"({"code":0,"data":{"urls":["rtmp://a/b/c"]}})";
  CHECK(forward(500, good, &urls) == HookReply::kBadStatus);
  CHECK(urls.empty());
  CHECK(forward(204, good, &urls) == HookReply::kBadStatus);
  CHECK(urls.empty());
  CHECK(forward(302, good, &urls) == HookReply::kBadStatus);
  CHECK(urls.empty());
  CHECK(forward(200, "", &urls) == HookReply::kEmpty);
  CHECK(urls.empty());
  CHECK(forward(200, " \r\n", &urls) == HookReply::kEmpty);
  CHECK(urls.empty());
  for (const char* body : {
           R"({"code":0,"data":{"urls":["rtmp://a/b/c",]}})",    // trailing comma
           R"({"code":0,"data":{"urls":["rtmp://a/b/c"]}}x)",    // trailing text
           R"({"code":0,"data":{"urls":["rtmp://a/b/c"]})",      // unclosed object
           R"({"code":0,"data":{"urls":["rtmp://a/b/c")",        // unclosed array
           R"({"code":0,"data":{"urls":["rtmp://a/b/c]}})",      // unclosed string
           R"({"code":0,"data":{"urls":["rtmp://a/\x"]}})",      // bad escape
           R"({"code":0,"data":{"urls":["rtmp://a/\u00g1"]}})",  // bad \u
           R"({"code":0,"data":{urls:["rtmp://a/b/c"]}})",       // unquoted name
           R"({"code":0,"data":{"urls" ["rtmp://a/b/c"]}})",     // no ':'
           R"({"code":0,"data":{"urls":["rtmp://a/b/c"] "x":1}})",
           R"({"code":0,"data":{"urls":["rtmp://a/b/c","rtmp://d/e/f"]},})",
           "<html>rtmp://a/b/c</html>",
       }) {
    CAPTURE(body);
    CHECK(forward(200, body, &urls) == HookReply::kMalformed);
    CHECK(urls.empty());
  }
  // A control character inside a URL string is not JSON.
  CHECK(forward(200, "{\"code\":0,\"data\":{\"urls\":[\"rtmp://a/b\nc\"]}}", &urls) ==
        HookReply::kMalformed);
  CHECK(urls.empty());
  // Items of urls must be strings.
  CHECK(forward(200, R"({"code":0,"data":{"urls":["rtmp://a/b/c",1]}})", &urls) ==
        HookReply::kMalformed);
  CHECK(urls.empty());
}

TEST_CASE("forward reply: urls elsewhere or of another kind, and other members, are ignored") {
  Urls urls;
  // urls not an array.
  CHECK(forward(200, R"({"code":0,"data":{"urls":"rtmp://a/b/c"}})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"data":{"urls":{"0":"rtmp://a/b/c"}}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"data":{"urls":null}})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  // data not an object.
  CHECK(forward(200, R"({"code":0,"data":["rtmp://a/b/c"]})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"data":"rtmp://a/b/c"})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  // urls at the top, or deeper than data.urls.
  CHECK(forward(200, R"({"code":0,"urls":["rtmp://a/b/c"]})", &urls) == HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"data":{"data":{"urls":["rtmp://a/b/c"]}}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls.empty());
  CHECK(forward(200, R"({"code":0,"x":{"data":{"urls":["rtmp://a/b/c"]}}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls.empty());
  // Members around them, of every kind.
  CHECK(forward(200,
                R"({"msg":"ok","code":0,"server":"vid-1","data":{"n":1.5e3,"urls":)"
                R"(["rtmp://a/b/c"],"more":[true,false,null,{"urls":["rtmp://no/t/this"]}]},)"
                R"("z":[]})",
                &urls) == HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c"});
  // "code" inside data is not the verdict.
  CHECK(forward(200, R"({"code":0,"data":{"code":1,"urls":["rtmp://a/b/c"]}})", &urls) ==
        HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c"});
}

TEST_CASE("forward reply: at most 64 URLs are kept, the first ones") {
  std::string body = R"({"code":0,"data":{"urls":[)";
  Urls all;
  for (int i = 0; i < 100; ++i) {
    all.push_back("rtmp://h/live/s" + std::to_string(i));
    body += (i ? "," : "") + ("\"" + all.back() + "\"");
  }
  body += "]}}";
  Urls urls;
  CHECK(forward(200, body, &urls) == HookReply::kAccept);
  REQUIRE(urls.size() == 64);
  CHECK(urls == Urls(all.begin(), all.begin() + 64));

  // Exactly 64: all of them.
  std::string exact = R"({"code":0,"data":{"urls":[)";
  for (int i = 0; i < 64; ++i) exact += (i ? ",\"u" : "\"u") + std::to_string(i) + "\"";
  exact += "]}}";
  CHECK(forward(200, exact, &urls) == HookReply::kAccept);
  REQUIRE(urls.size() == 64);
  CHECK(urls.front() == "u0");
  CHECK(urls.back() == "u63");
}

TEST_CASE("forward reply: nesting inside data is bounded like any reply") {
  auto nested = [](int arrays) {
    return R"({"code":0,"data":{"urls":["rtmp://a/b/c"],"x":)" + std::string(arrays, '[') +
           std::string(arrays, ']') + "}}";
  };
  Urls urls;
  // data sits at depth 1 and x at 2: 31 arrays reach kMaxDepth, 32 go past it.
  CHECK(forward(200, nested(kMaxDepth - 1), &urls) == HookReply::kAccept);
  CHECK(urls == Urls{"rtmp://a/b/c"});
  CHECK(forward(200, nested(kMaxDepth), &urls) == HookReply::kMalformed);
  CHECK(urls.empty());
  // The same verdicts as the plain callback reply gives the same bodies.
  CHECK(parse_hook_reply(200, nested(kMaxDepth - 1)) == HookReply::kAccept);
  CHECK(parse_hook_reply(200, nested(kMaxDepth)) == HookReply::kMalformed);

  std::string objects = R"({"code":0,"data":{"urls":["rtmp://a/b/c"],"x":)";
  for (int i = 0; i < 1000; i++) objects += "{\"a\":";
  objects += "1";
  for (int i = 0; i < 1000; i++) objects += "}";
  objects += "}}";
  CHECK(forward(200, objects, &urls) == HookReply::kMalformed);
  CHECK(urls.empty());
  CHECK(forward(200, std::string(100000, '['), &urls) == HookReply::kMalformed);
  CHECK(urls.empty());
}

TEST_CASE("forward reply: the plain callback verdict is unchanged on forward-shaped bodies") {
  CHECK(parse_hook_reply(200, R"({"code":0,"data":{"urls":["rtmp://a/b/c"]}})") ==
        HookReply::kAccept);
  CHECK(parse_hook_reply(200, R"({"code":1,"data":{"urls":["rtmp://a/b/c"]}})") ==
        HookReply::kRefused);
  CHECK(parse_hook_reply(500, R"({"code":0})") == HookReply::kBadStatus);
  CHECK(parse_hook_reply(200, R"({"code":0,"data":{"urls":[1,{"a":null}]}})") ==
        HookReply::kAccept);  // any JSON in data
  CHECK(parse_hook_reply(200, R"({"code":0,"data":{"urls":["a",]}})") == HookReply::kMalformed);
  CHECK(std::string(hook_reply_text(HookReply::kBadStatus)) == "HTTP status is not 200 or 201");
  CHECK(std::string(hook_reply_text(HookReply::kRefused)) ==
        "refused (the body is not 0 or {\"code\":0})");
  CHECK(std::string(hook_reply_text(HookReply::kMalformed)) == "the body is not JSON");
}

TEST_CASE("forward reply: an escaped \"code\" key is another name, as for the plain verdict") {
  std::vector<std::string> urls;
  const char* body = R"({"\u0063ode":0,"data":{"urls":["rtmp://a/b/c"]}})";
  CHECK(parse_hook_reply(200, body) == HookReply::kRefused);
  CHECK(forward(200, body, &urls) == HookReply::kRefused);
  CHECK(urls.empty());
}
