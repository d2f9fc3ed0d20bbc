// The journal entry built from an event's JSON line and its fields: the
// MESSAGE a person reads, the priority, the fields `journalctl FIELD=value`
// filters on, and field names journald accepts. Every documented example
// event (a real line captured from a real run) is turned into an entry too.
// The fields are read here from the JSON, as the encoder must keep them
// (registry_test.cpp checks it does, for every record).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "line_fields_reference.h"
#include "sink/journal.h"

namespace nj {
namespace {

using json = nlohmann::json;

// The entry for a line, with the fields the encoder would have kept.
JournalEntry journal_entry(std::string_view line) {
  const LineFields f = njt::fields_from_json(line);
  return nj::journal_entry(line, njt::view_of(f));
}

// NAME -> value; a name given twice fails the test.
std::map<std::string, std::string> fields_of(const JournalEntry& e) {
  std::map<std::string, std::string> out;
  for (const std::string& f : e.fields) {
    const size_t eq = f.find('=');
    EXPECT_NE(eq, std::string::npos) << f;
    EXPECT_TRUE(out.emplace(f.substr(0, eq), f.substr(eq + 1)).second) << "twice: " << f;
  }
  return out;
}

// journald's rule for a field an application may set.
bool valid_name(const std::string& n) { return std::regex_match(n, std::regex("[A-Z][A-Z0-9_]{0,63}")); }

TEST(JournalFieldName, DottedNamesBecomeUppercaseWithUnderscores) {
  EXPECT_EQ(journal_field_name("nightjar.action"), "NIGHTJAR_ACTION");
  EXPECT_EQ(journal_field_name("nightjar.event.id"), "NIGHTJAR_EVENT_ID");
  EXPECT_EQ(journal_field_name("process.parent-name x"), "PROCESS_PARENT_NAME_X");
  EXPECT_EQ(journal_field_name("Process9"), "PROCESS9");
}

TEST(JournalFieldName, WhatJournaldWouldRefuseIsMadeValid) {
  // A leading underscore is journald's own (trusted) field; a leading digit
  // and more than 64 bytes are refused.
  EXPECT_EQ(journal_field_name("_pid"), "PID");
  EXPECT_EQ(journal_field_name("__x"), "X");
  EXPECT_EQ(journal_field_name("9lives"), "F9LIVES");
  EXPECT_EQ(journal_field_name(""), "F");
  EXPECT_EQ(journal_field_name("..."), "F");
  EXPECT_EQ(journal_field_name("é"), "F");
  EXPECT_EQ(journal_field_name("aé"), "A__");
  const std::string longest = journal_field_name(std::string(100, 'a'));
  EXPECT_EQ(longest, std::string(64, 'A'));
  for (const char* n : {"_pid", "9lives", "", "é", "a.b", "x y"}) EXPECT_TRUE(valid_name(journal_field_name(n))) << n;
}

TEST(JournalEntry, ExecHasItsMessageAndFields) {
  const std::string line =
      R"({"event":{"kind":"event","category":["process"],"type":["start"],"action":"exec","outcome":"success",)"
      R"("id":"0010000000000001"},"process":{"pid":1234,"name":"curl","executable":"/usr/bin/curl",)"
      R"("parent":{"pid":1000,"name":"bash"},"user":{"id":"1000","name":"alice"}}})";
  JournalEntry e = journal_entry(line);
  auto f = fields_of(e);
  EXPECT_EQ(e.message, "exec /usr/bin/curl pid 1234 by bash");
  EXPECT_EQ(f["MESSAGE"], "exec /usr/bin/curl pid 1234 by bash");
  EXPECT_EQ(f["PRIORITY"], "6");
  EXPECT_EQ(f["SYSLOG_IDENTIFIER"], "nightjar");
  EXPECT_EQ(f["NIGHTJAR_ACTION"], "exec");
  EXPECT_EQ(f["NIGHTJAR_FAMILY"], "process");
  EXPECT_EQ(f["NIGHTJAR_EVENT_ID"], "0010000000000001");
  EXPECT_EQ(f["NIGHTJAR_OUTCOME"], "success");
  EXPECT_EQ(f["NIGHTJAR_PID"], "1234");
  EXPECT_EQ(f["NIGHTJAR_EXE"], "/usr/bin/curl");
  EXPECT_EQ(f["NIGHTJAR_USER"], "alice");
  EXPECT_EQ(f["NIGHTJAR_JSON"], line);
  EXPECT_EQ(f.size(), 11u);
}

TEST(JournalEntry, TheObjectAndAFailureAreInTheMessage) {
  auto message = [](const std::string& line) { return journal_entry(line).message; };
  EXPECT_EQ(message(R"({"event":{"action":"open","outcome":"failure"},"error":{"code":"EACCES"},)"
                    R"("process":{"pid":7,"name":"cat"},"file":{"path":"/etc/shadow"}})"),
            "open cat pid 7: /etc/shadow (failure EACCES)");
  EXPECT_EQ(message(R"({"event":{"action":"connect"},"process":{"pid":8,"executable":"/usr/bin/nc"},)"
                    R"("destination":{"ip":"2001:db8::1","port":443}})"),
            "connect /usr/bin/nc pid 8: to [2001:db8::1]:443");
  EXPECT_EQ(message(R"({"event":{"action":"dns_query"},"process":{"pid":9,"name":"dig"},)"
                    R"("dns":{"question":{"name":"example.org"}}})"),
            "dns_query dig pid 9: query example.org");
  EXPECT_EQ(message(R"({"event":{"action":"signal"},"process":{"pid":10,"name":"kill"},)"
                    R"("target":{"process":{"pid":11,"name":"sshd"}}})"),
            "signal kill pid 10: target sshd pid 11");
}

TEST(JournalEntry, AlertsAndLossReportsAreWarnings) {
  JournalEntry tampered =
      journal_entry(R"({"event":{"kind":"alert","category":["intrusion_detection"],"action":"sensor-tampered"},)"
                    R"("nightjar":{"tampered":{"how":"output_removed","detail":"/var/log/x was removed"}}})");
  EXPECT_EQ(tampered.priority, kJournalWarning);
  EXPECT_EQ(tampered.message, "sensor-tampered: /var/log/x was removed");
  EXPECT_EQ(fields_of(tampered)["NIGHTJAR_FAMILY"], "sensor");
  JournalEntry lost = journal_entry(R"({"event":{"kind":"metric","category":["host"],"action":"events-lost"}})");
  EXPECT_EQ(lost.priority, kJournalWarning);
  EXPECT_EQ(fields_of(lost)["PRIORITY"], "4");
  EXPECT_EQ(journal_entry(R"({"event":{"kind":"state","category":["host"],"action":"sensor-started"}})").priority,
            kJournalInfo);
}

TEST(JournalEntry, TheFamilyIsTheRegistrysForTheAction) {
  // A tamper action whose ECS category is another family's.
  auto f = fields_of(journal_entry(R"({"event":{"category":["process"],"action":"ptrace"}})"));
  EXPECT_EQ(f["NIGHTJAR_FAMILY"], "tamper");
  f = fields_of(journal_entry(R"({"event":{"category":["web"],"action":"not-a-record"}})"));
  EXPECT_EQ(f["NIGHTJAR_FAMILY"], "web");
}

TEST(JournalEntry, TheMessageIsOneBoundedLine) {
  const std::string path = "/tmp/a\nb\tc" + std::string(2000, 'x');
  json ev = {{"event", {{"action", "create"}}}, {"process", {{"pid", 1}, {"name", "sh"}}}, {"file", {{"path", path}}}};
  JournalEntry e = journal_entry(ev.dump());
  EXPECT_EQ(e.message.rfind("create sh pid 1: /tmp/a\\x0ab\\x09c", 0), 0u) << e.message;
  EXPECT_LE(e.message.size(), 512u);
  EXPECT_EQ(e.message.substr(e.message.size() - 3), "...");
  // The JSON keeps every byte.
  EXPECT_EQ(json::parse(fields_of(e)["NIGHTJAR_JSON"])["file"]["path"], path);
}

TEST(JournalEntry, ALineWithoutFieldsIsStillAnEntry) {
  auto f = fields_of(nj::journal_entry(R"({"event":{"action":"exec"}})", LineFieldsView{}));
  EXPECT_EQ(f["MESSAGE"], "event");
  EXPECT_EQ(f["NIGHTJAR_JSON"], R"({"event":{"action":"exec"}})");
  EXPECT_EQ(f["NIGHTJAR_FAMILY"], "sensor");
  EXPECT_EQ(f.size(), 5u);
}

// Every example of docs/events: valid field names, the action first in the
// message, the line itself in NIGHTJAR_JSON.
TEST(JournalEntry, EveryDocumentedEventMakesAValidEntry) {
  size_t n = 0;
  for (const auto& doc : std::filesystem::directory_iterator(std::string(NJ_SOURCE_DIR) + "/docs/events")) {
    std::ifstream in(doc.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    static const std::regex block("```json\\n([\\s\\S]*?)```");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), block); it != std::sregex_iterator(); ++it) {
      json ev = json::parse((*it)[1].str(), nullptr, false);
      if (ev.is_discarded() || !ev.contains("event")) continue;
      const std::string line = ev.dump();
      JournalEntry e = journal_entry(line);
      auto f = fields_of(e);
      for (auto& [name, value] : f) EXPECT_TRUE(valid_name(name)) << name;
      const std::string action = ev["event"]["action"];
      EXPECT_EQ(f["NIGHTJAR_ACTION"], action);
      EXPECT_EQ(e.message.rfind(action, 0), 0u) << e.message;
      EXPECT_EQ(f["NIGHTJAR_JSON"], line);
      if (ev.contains("process") && ev["process"].contains("pid")) {
        EXPECT_EQ(f["NIGHTJAR_PID"], std::to_string(ev["process"]["pid"].get<long>()));
      }
      n++;
    }
  }
  EXPECT_GT(n, 20u);
}

}  // namespace
}  // namespace nj
