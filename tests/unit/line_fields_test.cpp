// The fields the JSON writer keeps while it writes a document (what the
// journal builds its entries from): exactly what a parser reads at their
// paths, whatever else the document holds around them; and how a queue
// carries them beside the lines.
#include "encode/line_fields.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "encode/json_writer.h"
#include "line_fields_reference.h"
#include "sink/sink.h"

namespace nj {
namespace {

using F = LineField;

const std::string& at(const Line& l, F f) { return l.fields[f]; }

// The fields listed hold these values, and every field is what a parser
// reads at its path.
void expect_fields(const Line& l, std::initializer_list<std::pair<F, std::string>> want) {
  for (const auto& [f, v] : want) EXPECT_EQ(l.fields[f], v) << kLineFieldPaths[static_cast<size_t>(f)].path;
  EXPECT_EQ(l.fields.values, njt::fields_from_json(l).values) << l;
}

TEST(LineFields, TheWriterKeepsThePathsAndNothingElse) {
  JsonWriter w;
  w.clear();
  w.begin_object();
  w.key("event");
  w.begin_object();
  w.kv("kind", "alert");
  w.key("category");
  w.begin_array();
  w.string("process");
  w.string("file");
  w.end_array();
  w.kv("action", "exec");
  w.end_object();
  w.key("process");
  w.begin_object();
  w.kn("pid", uint32_t{42});
  w.key("parent");
  w.begin_object();
  w.kn("pid", uint32_t{1});  // process.parent.pid: not kept
  w.kv("name", "bash");
  w.end_object();
  w.key("user");
  w.begin_object();
  w.kv("id", "0");
  w.end_object();
  w.kv("name", "curl");
  w.end_object();
  w.key("nightjar");
  w.begin_object();
  // The same names elsewhere: not the paths.
  w.key("process");
  w.begin_object();
  w.kn("pid", uint32_t{7});
  w.end_object();
  w.key("ancestors");
  w.begin_array();
  w.begin_object();
  w.kn("pid", uint32_t{8});
  w.kv("name", "init");
  w.end_object();
  w.end_array();
  w.kv("action", "not this one");
  w.end_object();
  w.key("destination");
  w.begin_object();
  w.kv("ip", "2001:db8::1");
  w.kn("port", int32_t{-443});
  w.end_object();
  w.end_object();
  const Line& l = w.line();
  expect_fields(l, {{F::action, "exec"},
                    {F::kind, "alert"},
                    {F::category, "process"},
                    {F::pid, "42"},
                    {F::parent_name, "bash"},
                    {F::user_id, "0"},
                    {F::name, "curl"},
                    {F::destination_ip, "2001:db8::1"},
                    {F::destination_port, "-443"},
                    {F::file_path, ""}});
}

TEST(LineFields, ValuesAreWhatAParserReads) {
  JsonWriter w;
  w.clear();
  w.begin_object();
  w.key("file");
  w.begin_object();
  // JSON escapes undone; bytes that are not UTF-8 in the escaped form.
  w.kv("path", "/tmp/a\"b\\c\n\x01\xff");
  w.end_object();
  w.key("error");
  w.begin_object();
  w.kb("code", true);  // not a string: ""
  w.end_object();
  w.key("event");
  w.begin_object();
  w.key("category");
  w.begin_array();
  w.number(uint64_t{3});  // the first element is no string: ""
  w.string("host");
  w.end_array();
  w.key("action");
  w.begin_array();  // an array where a string is expected: ""
  w.string("exec");
  w.end_array();
  w.kv("kind", "event");
  w.end_object();
  w.key("target");
  w.begin_object();
  w.key("process");
  w.begin_object();
  w.kv("name", "sshd");
  w.end_object();
  w.end_object();
  // A key written again replaces what it held, as in a parser.
  w.key("target");
  w.begin_object();
  w.kn("process", uint64_t{5});
  w.end_object();
  w.key("process");
  w.begin_object();
  w.key("args");
  w.string_array({"a", std::string("\xfe", 1)});
  w.kv("executable", "/bin/x");
  w.kv("executable", "/bin/y");
  w.end_object();
  w.end_object();
  const Line& l = w.line();
  expect_fields(l, {{F::file_path, "/tmp/a\"b\\\\c\n\x01\\xff"},
                    {F::error_code, ""},
                    {F::category, ""},
                    {F::action, ""},
                    {F::kind, "event"},
                    {F::target_name, ""},
                    {F::executable, "/bin/y"}});
}

TEST(LineFields, EachDocumentStartsEmptyAndDeepNestingIsFollowedBack) {
  JsonWriter w;
  w.clear();
  w.begin_object();
  w.kv("x", "y");
  w.key("deep");
  for (int i = 0; i < 40; i++) w.begin_array();
  w.begin_object();
  w.kv("action", "no");
  w.end_object();
  for (int i = 0; i < 40; i++) w.end_array();
  w.key("event");
  w.begin_object();
  w.kv("action", "open");
  w.end_object();
  w.end_object();
  EXPECT_EQ(at(w.line(), F::action), "open");
  w.clear();
  w.begin_object();
  w.end_object();
  for (const std::string& v : w.line().fields.values) EXPECT_EQ(v, "");
}

TEST(LineFields, NoneAreKeptWhenNoOutputReadsThem) {
  JsonWriter w;
  auto write = [&](const char* action) -> const Line& {
    w.clear();
    w.begin_object();
    w.key("event");
    w.begin_object();
    w.kv("action", action);
    w.end_object();
    w.end_object();
    return w.line();
  };
  w.keep_fields(false);
  EXPECT_EQ(write("exec"), R"({"event":{"action":"exec"}})");
  EXPECT_EQ(at(w.line(), F::action), "");
  w.keep_fields(true);
  EXPECT_EQ(at(write("open"), F::action), "open");
}

TEST(LineFields, PackedFieldsReadBackWholeWithAnyBytes) {
  LineFields a, b;
  a[F::action] = "exec";
  a[F::file_path] = std::string("/a\nb\0c", 6);
  b[F::tampered_detail] = std::string(70000, 'x');
  std::string packed;
  pack_fields(a, packed);
  pack_fields(b, packed);
  std::string_view in = packed;
  const LineFieldsView ra = unpack_fields(in), rb = unpack_fields(in);
  EXPECT_TRUE(in.empty());
  for (size_t i = 0; i < kLineFields; i++) {
    EXPECT_EQ(ra.values[i], a.values[i]);
    EXPECT_EQ(rb.values[i], b.values[i]);
  }
  // Nothing (a sink handed lines without their fields): every field "".
  std::string_view none;
  for (std::string_view v : unpack_fields(none).values) EXPECT_TRUE(v.empty());
}

// An output that wants fields gets each line's, in the lines' order; one
// that does not gets the lines alone.
class Recorder : public Sink {
 public:
  explicit Recorder(bool wants) : wants_(wants) {}
  bool wants_fields() const override { return wants_; }
  WriteResult write(std::string_view lines) override { return write_with_fields(lines, {}); }
  WriteResult write_with_fields(std::string_view lines, std::string_view fields) override {
    std::lock_guard<std::mutex> lk(mu);
    WriteResult r;
    for (size_t start = 0; start < lines.size(); r.lines++) {
      const size_t end = lines.find('\n', start);
      got.emplace_back(std::string(lines.substr(start, end - start)), std::string(unpack_fields(fields)[F::action]));
      start = end + 1;
    }
    return r;
  }
  bool wants_;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;  // line, its action field
};

TEST(LineFields, TheQueueCarriesThemBesideTheLines) {
  for (bool wants : {true, false}) {
    auto rec = std::make_unique<Recorder>(wants);
    Recorder* r = rec.get();
    AsyncSink s(std::move(rec), 100);
    LineFields a, b;
    a[F::action] = "exec";
    b[F::action] = "open";
    s.push("one", &a);
    s.push("two");
    s.push_report("three", &b);
    s.close();
    using P = std::vector<std::pair<std::string, std::string>>;
    const P expected =
        wants ? P{{"one", "exec"}, {"two", ""}, {"three", "open"}} : P{{"one", ""}, {"two", ""}, {"three", ""}};
    EXPECT_EQ(r->got, expected);
  }
}

}  // namespace
}  // namespace nj
