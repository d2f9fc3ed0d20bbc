#include "encode/line_fields.h"

#include <cstring>
#include <vector>

namespace nj {

namespace {

// kLineFieldPaths as a tree, flattened: a node's children are next to each
// other, the root is node 0.
struct Node {
  std::string_view name;
  int16_t first_child = 0, children = 0;
  int16_t field = -1;  // a leaf's LineField
  bool first = false;  // the leaf's value is an array's first element
  uint32_t below = 0;  // the fields at or below it, a bit each
};
static_assert(kLineFields <= 32, "Node::below holds a bit per field");

std::vector<Node> build() {
  struct Draft {
    Node n;
    std::vector<size_t> kids;
  };
  std::vector<Draft> t(1);
  for (size_t f = 0; f < kLineFields; f++) {
    size_t cur = 0;
    t[0].n.below |= 1u << f;
    std::string_view p = kLineFieldPaths[f].path;
    while (!p.empty()) {
      const size_t dot = p.find('.');
      const std::string_view part = p.substr(0, dot);
      p = dot == std::string_view::npos ? std::string_view() : p.substr(dot + 1);
      size_t next = 0;
      for (size_t k : t[cur].kids)
        if (t[k].n.name == part) next = k;
      if (!next) {
        next = t.size();
        t.push_back({Node{.name = part}, {}});
        t[cur].kids.push_back(next);
      }
      cur = next;
      t[cur].n.below |= 1u << f;
    }
    t[cur].n.field = static_cast<int16_t>(f);
    t[cur].n.first = kLineFieldPaths[f].first;
  }
  // Breadth first: each node's children are queued together.
  std::vector<size_t> order{0}, index(t.size());
  for (size_t i = 0; i < order.size(); i++)
    for (size_t k : t[order[i]].kids) order.push_back(k);
  for (size_t i = 0; i < order.size(); i++) index[order[i]] = i;
  std::vector<Node> out;
  for (size_t o : order) {
    Node n = t[o].n;
    n.children = static_cast<int16_t>(t[o].kids.size());
    if (n.children) n.first_child = static_cast<int16_t>(index[t[o].kids.front()]);
    out.push_back(n);
  }
  return out;
}

const std::vector<Node> kNodes = build();

}  // namespace

void pack_fields(const LineFields& f, std::string& out) {
  for (const std::string& v : f.values) {
    const uint32_t n = static_cast<uint32_t>(v.size());
    out.append(reinterpret_cast<const char*>(&n), sizeof(n));
    out.append(v);
  }
}

LineFieldsView unpack_fields(std::string_view& in) {
  LineFieldsView f;
  for (std::string_view& v : f.values) {
    uint32_t n;
    if (in.size() < sizeof(n)) break;
    std::memcpy(&n, in.data(), sizeof(n));
    in.remove_prefix(sizeof(n));
    v = in.substr(0, n);
    in.remove_prefix(v.size());
  }
  return f;
}

int16_t FieldKeeper::child(int16_t node, std::string_view k) {
  const std::vector<Node>& t = kNodes;
  const Node& n = t[static_cast<size_t>(node)];
  for (int16_t c = n.first_child; c < n.first_child + n.children; c++)
    if (t[static_cast<size_t>(c)].name == k) return c;
  return kNone;
}

void FieldKeeper::reset(LineFields& out) {
  for (std::string& v : out.values) v.clear();
  depth_ = 0;
  obj_ = at_ = first_ = kNone;
  in_array_ = false;
}

int16_t FieldKeeper::target(LineFields& out) {
  int16_t t;
  if (depth_ == 0) {
    t = 0;  // the document itself
  } else if (in_array_) {
    t = first_;
    first_ = kNone;
  } else {
    t = at_;
    at_ = kNone;
  }
  if (t < 0) return t;
  for (uint32_t b = kNodes[static_cast<size_t>(t)].below; b; b &= b - 1)
    out.values[static_cast<size_t>(__builtin_ctz(b))].clear();
  return t;
}

void FieldKeeper::enter(int16_t t) {
  const Node* n = t >= 0 ? &kNodes[static_cast<size_t>(t)] : nullptr;
  obj_ = !in_array_ && n && n->children ? t : kNone;
  first_ = in_array_ && n && n->first ? t : kNone;
  at_ = kNone;
}

void FieldKeeper::close() {
  depth_--;
  if (depth_ >= 0 && depth_ < kMaxDepth) {
    const Frame& f = stack_[static_cast<size_t>(depth_)];
    obj_ = f.obj;
    first_ = f.first;
    in_array_ = f.array;
  } else {
    obj_ = first_ = kNone;
  }
  at_ = kNone;
}

void FieldKeeper::keep(LineFields& out, std::string_view v, bool string) {
  const int16_t t = target(out);
  if (t < 0) return;
  const Node& n = kNodes[static_cast<size_t>(t)];
  // A leaf of an array's first element takes it inside the array only, and
  // a string only; any other leaf a value outside an array.
  if (n.field >= 0 && n.first == in_array_ && (string || !n.first)) out.values[static_cast<size_t>(n.field)].assign(v);
}

}  // namespace nj
