// What the encoder's kept fields (encode/line_fields.h) must equal: each
// path of kLineFieldPaths read from the parsed JSON line, as the journal
// sink read it before the encoder kept them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "encode/line_fields.h"

namespace njt {

inline nj::LineFields fields_from_json(std::string_view line) {
  using json = nlohmann::json;
  nj::LineFields out;
  const json doc = json::parse(line, nullptr, false);
  for (size_t i = 0; i < nj::kLineFields; i++) {
    const json* v = &doc;
    std::string_view path = nj::kLineFieldPaths[i].path;
    while (v && !path.empty()) {
      const size_t dot = path.find('.');
      const std::string key(path.substr(0, dot));
      path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
      auto it = v->is_object() ? v->find(key) : v->end();
      v = v->is_object() && it != v->end() ? &*it : nullptr;
    }
    if (!v) continue;
    if (nj::kLineFieldPaths[i].first) {
      if (v->is_array() && !v->empty() && v->front().is_string()) out.values[i] = v->front().get<std::string>();
    } else if (v->is_string()) {
      out.values[i] = v->get<std::string>();
    } else if (v->is_number_integer()) {
      out.values[i] = v->dump();
    }
  }
  return out;
}

inline nj::LineFieldsView view_of(const nj::LineFields& f) {
  nj::LineFieldsView v;
  for (size_t i = 0; i < nj::kLineFields; i++) v.values[i] = f.values[i];
  return v;
}

}  // namespace njt
