// The terminal view's completeness: every action the sensor can write (the
// registry's rows and every schema part's $defs.action) has a compact row
// declared by its family, no row is stale, and every field a row shows
// exists in the events it describes (a misspelt path would silently show
// nothing).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "encode/compact_fields.h"
#include "families/registry.h"
#include "files.h"

using namespace nj;
using json = nlohmann::json;

namespace {

using njt::slurp;

const std::vector<std::string> kSchemaParts = {"process", "file", "network", "tamper", "sensor"};

// Every const/enum string under `node`, following the schema's own
// "#/$defs/..." references.
void collect_actions(const json& schema, const json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    if (node.contains("const") && node["const"].is_string()) out.insert(node["const"].get<std::string>());
    if (node.contains("enum"))
      for (const json& v : node["enum"])
        if (v.is_string()) out.insert(v.get<std::string>());
    if (node.contains("$ref") && node["$ref"].is_string()) {
      const std::string ref = node["$ref"];
      if (ref.rfind("#/$defs/", 0) == 0) collect_actions(schema, schema["$defs"][ref.substr(8)], out);
    }
    for (const char* k : {"anyOf", "oneOf"})
      if (node.contains(k))
        for (const json& sub : node[k]) collect_actions(schema, sub, out);
  }
}

// action -> its schema part's name.
std::map<std::string, std::string> schema_actions() {
  std::map<std::string, std::string> out;
  for (const std::string& part : kSchemaParts) {
    const json schema = json::parse(slurp(std::string(NJ_SOURCE_DIR) + "/docs/schema/" + part + ".schema.json"));
    std::set<std::string> actions;
    collect_actions(schema, schema["$defs"]["action"], actions);
    EXPECT_FALSE(actions.empty()) << part << ".schema.json lists no action";
    for (const std::string& a : actions) out[a] = part;
  }
  return out;
}

// Every documented example (docs/events.md and docs/events/*.md), by action.
std::multimap<std::string, json> documented_examples() {
  std::multimap<std::string, json> out;
  std::vector<std::string> pages = {"events.md"};
  for (const std::string& part : kSchemaParts) pages.push_back("events/" + part + ".md");
  static const std::regex block("```json\n([^`]*)```");
  for (const std::string& page : pages) {
    const std::string text = slurp(std::string(NJ_SOURCE_DIR) + "/docs/" + page);
    for (std::sregex_iterator it(text.begin(), text.end(), block), end; it != end; ++it) {
      json doc = json::parse((*it)[1].str(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object() || !doc.contains("event")) continue;
      out.emplace(doc["event"].value("action", ""), std::move(doc));
    }
  }
  return out;
}

bool has_path(const json& doc, const std::string& dotted) {
  const json* cur = &doc;
  std::stringstream ss(dotted);
  for (std::string key; std::getline(ss, key, '.');) {
    if (!cur->is_object() || !cur->contains(key)) return false;
    cur = &(*cur)[key];
  }
  return true;
}

}  // namespace

TEST(CompactComplete, EveryRegisteredActionHasARow) {
  std::set<std::string> rows;
  for (const CompactAction& a : compact_actions()) rows.insert(a.action);
  for (const RecordInfo& r : record_types())
    EXPECT_TRUE(rows.count(r.action)) << to_string(r.family) << " action " << r.action << " has no row in src/families/"
                                      << to_string(r.family) << "/compact.cpp";
}

TEST(CompactComplete, EverySchemaActionHasARowAndNoRowIsStale) {
  const auto actions = schema_actions();
  std::set<std::string> rows;
  for (const CompactAction& a : compact_actions()) {
    EXPECT_TRUE(rows.insert(a.action).second) << "two rows for " << a.action << ": the view could not tell them apart";
    EXPECT_TRUE(actions.count(a.action)) << "row " << a.action << " is for no action of any schema part";
  }
  for (const auto& [action, part] : actions)
    EXPECT_TRUE(rows.count(action)) << part << " action " << action << " has no compact row";
}

// Against the documented examples of the same action, or failing that the
// key's name in the schema part (a field no example happens to carry).
TEST(CompactComplete, EveryRowFieldExistsInItsEvents) {
  const auto actions = schema_actions();
  const auto examples = documented_examples();
  for (const CompactAction& a : compact_actions()) {
    auto part = actions.find(a.action);
    ASSERT_NE(part, actions.end()) << a.action;
    const std::string schema = slurp(std::string(NJ_SOURCE_DIR) + "/docs/schema/" + part->second + ".schema.json") +
                               slurp(std::string(NJ_SOURCE_DIR) + "/docs/schema/event.schema.json");
    std::vector<CompactField> fields = a.fields;
    fields.insert(fields.end(), a.failed.begin(), a.failed.end());
    for (const CompactField& f : fields) {
      bool seen = false;
      auto [from, to] = examples.equal_range(a.action);
      for (auto it = from; it != to && !seen; ++it) seen = has_path(it->second, f.path);
      if (!seen) {
        const std::string path = f.path;
        const std::string last = path.substr(path.rfind('.') + 1);
        seen = schema.find("\"" + last + "\"") != std::string::npos;
      }
      EXPECT_TRUE(seen) << a.action << ": field " << f.path << " is in no documented " << a.action
                        << " event and not in " << part->second << ".schema.json";
    }
  }
}

TEST(CompactComplete, EveryActionHasADocumentedExampleToRender) {
  const auto examples = documented_examples();
  for (const CompactAction& a : compact_actions())
    EXPECT_TRUE(examples.count(a.action)) << "no documented " << a.action << " example";
}
