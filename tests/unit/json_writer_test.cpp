#include "encode/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

using namespace nj;
using namespace std::string_literals;
using json = nlohmann::json;

TEST(ValidUtf8, Ascii) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("hello, world"));
  EXPECT_TRUE(valid_utf8("\0\x01\x7f"s));
}

TEST(ValidUtf8, MultiByteSequences) {
  EXPECT_TRUE(valid_utf8("\xC3\xA9"));          // é, 2 bytes
  EXPECT_TRUE(valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));      // €, 3 bytes
  EXPECT_TRUE(valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(valid_utf8("\xEE\x80\x80"));      // U+E000, just above surrogates
  EXPECT_TRUE(valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));  // 😀, 4 bytes
  EXPECT_TRUE(valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(valid_utf8("a\xC3\xA9z\xE2\x82\xAC!"));
}

TEST(ValidUtf8, Overlong) {
  EXPECT_FALSE(valid_utf8("\xC0\x80"));
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(valid_utf8("\xE0\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));
}

TEST(ValidUtf8, Surrogates) {
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));  // U+DFFF
}

TEST(ValidUtf8, BeyondUnicode) {
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\xFE"));
}

TEST(ValidUtf8, TruncatedAndStray) {
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("\xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(valid_utf8("abc\xE2\x82"));
  EXPECT_FALSE(
      valid_utf8("\xE2\x82"
                 "abc"));            // continuation replaced by ASCII
  EXPECT_FALSE(valid_utf8("\x80"));  // lone continuation byte
  EXPECT_FALSE(
      valid_utf8("a\xBF"
                 "b"));
}

TEST(EscapeBytes, IdentityForValidUtf8) {
  EXPECT_EQ(escape_bytes("plain"), "plain");
  EXPECT_EQ(escape_bytes("back\\slash \xC3\xA9"), "back\\slash \xC3\xA9");
}

TEST(EscapeBytes, Form) {
  EXPECT_EQ(escape_bytes("a\xff"
                         "b"),
            "a\\xffb");
  EXPECT_EQ(escape_bytes("\\\xC0\x80"), "\\\\\\xc0\\x80");
  // Valid sequences inside an invalid value stay as they are.
  EXPECT_EQ(escape_bytes("\xC3\xA9\xff"), "\xC3\xA9\\xff");
  // A literal "\xff" text next to a real 0xff byte stays distinguishable.
  EXPECT_EQ(escape_bytes("\\xff\xff"), "\\\\xff\\xff");
  EXPECT_EQ(unescape_bytes("\\\\xff\\xff"), "\\xff\xff");
}

TEST(EscapeBytes, RandomRoundTrip) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> len_dist(0, 48);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string hex = "0123456789abcdefABCDEF";
  int escaped = 0;
  for (int n = 0; n < 1000; n++) {
    std::string s;
    int len = len_dist(rng);
    for (int i = 0; i < len; i++) {
      int k = kind(rng);
      if (k <= 2) s += '\\';
      else if (k == 3) s += 'x';
      else if (k == 4) s += hex[static_cast<size_t>(byte(rng)) % hex.size()];
      else s += static_cast<char>(byte(rng));
    }
    const std::string e = escape_bytes(s);
    EXPECT_TRUE(valid_utf8(e)) << "escaped form is not UTF-8 for input #" << n;
    if (valid_utf8(s)) {
      // Never escaped: written as is and not listed as escaped.
      EXPECT_EQ(e, s);
    } else {
      escaped++;
      EXPECT_EQ(unescape_bytes(e), s) << "round trip failed for input #" << n << " escaped as " << e;
    }
    JsonWriter w;
    EXPECT_EQ(w.string(s), valid_utf8(s)) << "input #" << n;
    json parsed = json::parse(w.str());
    EXPECT_EQ(parsed.get<std::string>(), e);
  }
  // The test means something only if most inputs needed escaping.
  EXPECT_GT(escaped, 700);
}

TEST(JsonWriter, NestedObjectsAndArrays) {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.begin_object();
  w.key("b");
  w.begin_array();
  w.number(uint64_t{1});
  w.number(int64_t{-2});
  w.begin_object();
  w.kb("c", true);
  w.end_object();
  w.begin_array();
  w.end_array();
  w.string("s");
  w.end_array();
  w.key("d");
  w.null();
  w.end_object();
  w.key("e");
  w.begin_array();
  w.end_array();
  w.key("f");
  w.begin_object();
  w.end_object();
  w.kv("g", "x");
  w.kn("h", std::numeric_limits<uint64_t>::max());
  w.kn("i", std::numeric_limits<int64_t>::min());
  w.kn("j", int32_t{-7});
  w.kn("k", uint32_t{4000000000u});
  w.kb("l", false);
  w.end_object();

  json expected = {{"a", {{"b", {1, -2, {{"c", true}}, json::array(), "s"}}, {"d", nullptr}}},
                   {"e", json::array()},
                   {"f", json::object()},
                   {"g", "x"},
                   {"h", std::numeric_limits<uint64_t>::max()},
                   {"i", std::numeric_limits<int64_t>::min()},
                   {"j", -7},
                   {"k", 4000000000u},
                   {"l", false}};
  json got = json::parse(w.str());
  EXPECT_EQ(got, expected) << w.str();
}

TEST(JsonWriter, ArrayOfObjects) {
  JsonWriter w;
  w.begin_array();
  for (int i = 0; i < 3; i++) {
    w.begin_object();
    w.kn("i", i);
    w.key("v");
    w.begin_array();
    w.string("x");
    w.string("y");
    w.end_array();
    w.end_object();
  }
  w.end_array();
  json got = json::parse(w.str());
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(got[i]["i"], i);
    EXPECT_EQ(got[i]["v"], json({"x", "y"}));
  }
}

TEST(JsonWriter, ControlCharactersQuotesNewlinesDel) {
  std::string all;
  for (int c = 0; c < 0x20; c++) all += static_cast<char>(c);
  all +=
      "\"quoted\" back\\slash\nnew\rline\ttab\x7f"
      "del/";
  JsonWriter w;
  w.begin_object();
  EXPECT_TRUE((w.kv("v", all)));
  w.key("k\"\n\x01");
  EXPECT_TRUE(w.string("\x7f"));
  w.end_object();

  const std::string& out = w.str();
  for (char c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u != 0x7f) << "raw control byte " << int(u) << " in output";
  }
  json got = json::parse(out);
  EXPECT_EQ(got["v"].get<std::string>(), all);
  EXPECT_EQ(got["k\"\n\x01"].get<std::string>(), "\x7f");
}

// The exact bytes, not only what a parser makes of them: the output format
// is fixed (short escapes where JSON has them, else six characters with
// lowercase hex).
TEST(JsonWriter, EscapesAreExact) {
  JsonWriter w;
  w.string(
      std::string("a\x00"
                  "b\x01\x1f\x7f\"\\/\n\r\t\b\fz\xc3\xa9",
                  17));
  EXPECT_EQ(w.str(), R"("a\u0000b\u0001\u001f\u007f\"\\/\n\r\t\b\fz)"
                     "\xc3\xa9\"");
  w.clear();
  w.begin_array();
  w.number(uint64_t{0});
  w.number(uint64_t{18446744073709551615ull});
  w.number(int64_t{-9223372036854775807ll - 1});
  w.number(int32_t{-1});
  w.end_array();
  EXPECT_EQ(w.str(), "[0,18446744073709551615,-9223372036854775808,-1]");
}

TEST(JsonWriter, StringReturnsFalseExactlyWhenEscaped) {
  JsonWriter w;
  w.begin_array();
  EXPECT_TRUE(w.string(""));
  EXPECT_TRUE(w.string("ascii \\ \" \n"));
  EXPECT_TRUE(w.string("\xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(w.string("\\xff"));  // looks escaped, but is valid text
  EXPECT_FALSE(w.string("\xff"));
  EXPECT_FALSE(w.string("ok\xC0\x80"));
  EXPECT_FALSE(w.string("\xED\xA0\x80"));
  EXPECT_FALSE(w.string("a\\b\xfe"));
  w.end_array();
  json got = json::parse(w.str());
  ASSERT_EQ(got.size(), 8u);
  EXPECT_EQ(got[3], "\\xff");
  EXPECT_EQ(got[4], "\\xff");
  EXPECT_EQ(unescape_bytes(got[4].get<std::string>()), "\xff");
  EXPECT_EQ(unescape_bytes(got[5].get<std::string>()), "ok\xC0\x80");
  EXPECT_EQ(unescape_bytes(got[6].get<std::string>()), "\xED\xA0\x80");
  EXPECT_EQ(got[7], "a\\\\b\\xfe");
  EXPECT_EQ(unescape_bytes(got[7].get<std::string>()), "a\\b\xfe");
}

TEST(JsonWriter, ClearStartsANewDocument) {
  JsonWriter w;
  w.begin_object();
  w.kv("a", "1");
  w.end_object();
  w.clear();
  w.begin_object();
  w.kv("b", "2");
  w.end_object();
  EXPECT_EQ(w.str(), R"({"b":"2"})");
  EXPECT_EQ(json::parse(w.str()), json({{"b", "2"}}));
}

// The writer scans eight bytes at a time: every byte that needs escaping
// (and one that does not, next to them), at every offset of strings long
// enough to have whole words and a tail, as keys and as values.
TEST(JsonWriter, EscapesAtEveryOffsetOfAWord) {
  auto reference = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c == '\b') out += "\\b";
      else if (c == '\f') out += "\\f";
      else if (u < 0x20 || u == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", u);
        out += buf;
      } else out += c;
    }
    return out + "\"";
  };
  for (int b : std::initializer_list<int>{0x00, 0x01, 0x1f, 0x20, '"', '\\', 0x7f, 0x80, 0xa0, 0xff, 'A', '!', '#',
                                          0x5b, 0x5d}) {
    for (size_t len = 1; len <= 20; len++) {
      for (size_t at = 0; at < len; at++) {
        std::string s(len, 'x');
        s[at] = static_cast<char>(b);
        if (b >= 0x80) s.replace(at, 1, "\xc3\xa9");  // a valid sequence where one byte was
        JsonWriter w;
        w.string(s);
        ASSERT_EQ(w.str(), reference(s)) << "byte " << b << " at " << at << " of " << len;
        w.clear();
        w.begin_object();
        w.key(s);
        w.number(uint64_t{1});
        w.end_object();
        ASSERT_EQ(w.str(), "{" + reference(s) + ":1}") << "key: byte " << b << " at " << at << " of " << len;
      }
    }
  }
}

TEST(ValidUtf8, BadByteAtEveryOffsetOfAWord) {
  for (size_t len = 1; len <= 20; len++)
    for (size_t at = 0; at < len; at++) {
      std::string s(len, 'a');
      s[at] = '\xff';
      EXPECT_FALSE(valid_utf8(s)) << at << " of " << len;
      s[at] = 'b';
      EXPECT_TRUE(valid_utf8(s));
      s.replace(at, 1, "\xe2\x82\xac");
      EXPECT_TRUE(valid_utf8(s)) << "a euro sign at " << at;
      s.resize(s.size() - 1);  // cuts the sign short when it was last
      EXPECT_EQ(valid_utf8(s), at + 1 < len) << "cut short at " << at << " of " << len;
    }
}
