// Maven's version order as maven-artifact 3.9.9's ComparableVersion
// computes it (the POM reference's "Version Order Specification" describes
// it loosely; the implementation is the ecosystem's truth, and OSV's Maven
// ranges follow it). A version, lower-cased, is a tree of lists:
//  - `.` ends an item of the current list; `-` ends one and opens a list
//    inside the current one; an empty item is 0;
//  - a change from letters to digits ends the letters as a qualifier
//    (a/b/m directly before a digit mean alpha/beta/milestone), and both
//    that change and the change from digits to letters open a list; a
//    qualifier in a list that holds items already opens one first, so
//    `1.0.x1` reads as `1.0-x-1`;
//  - every list, innermost first, drops its null items (0, the release
//    qualifier "", an empty list) from its end, passing over lists that are
//    not null.
// Items compare: numbers by value (as Java's int < long < BigInteger
// classes by digit count), and above qualifiers and lists; lists above
// qualifiers; qualifiers as alpha < beta < milestone < rc = cr < snapshot <
// "" = ga = final = release < sp < any other, those by their text. A list
// against a missing item compares its items with nothing, the first that
// differs deciding; a number against nothing is greater unless 0, a
// qualifier as it compares with "". Letters are lowered as ASCII only (Java
// lowers others too, and counts non-ASCII digits as digits: no version in
// an advisory has them).
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

// A version longer than this is refused: its lists nest as deep as it is
// long, and comparison recurses through them.
constexpr size_t kMaxLength = 1000;

struct Node {
  enum Kind : uint8_t { kNumber, kQualifier, kList };
  explicit Node(Kind k, std::string t = "") : kind(k), text(std::move(t)) {}
  Kind kind;
  // A number's digits (as Java strips them: an all-zero number keeps its
  // zeros) and the class of its length (0: int, 1: long, 2: BigInteger);
  // a qualifier after its alias.
  std::string text;
  int width = 0;
  std::vector<int> items;  // a list's, indices into the version's nodes
};

class Version {
 public:
  explicit Version(absl::string_view in);
  int Compare(const Version& other) const { return CompareLists(0, other, 0); }

 private:
  bool IsNull(int n) const;
  int Add(int list, Node node);
  int OpenList(int list);
  void AddItem(int list, bool digits, absl::string_view text,
               bool followed_by_digit);
  int CompareWithNothing(int n) const;
  int CompareLists(int a, const Version& other, int b) const;
  int CompareNodes(int a, const Version& other, int b) const;

  std::vector<Node> nodes_;  // nodes_[0] is the version's list
  std::vector<int> opened_;  // lists in the order they were opened
};

int QualifierRank(const std::string& q) {
  static const char* const kOrder[] = {"alpha",    "beta", "milestone", "rc",
                                       "snapshot", "",     "sp"};
  for (int i = 0; i < 7; ++i) {
    if (q == kOrder[i]) return i;
  }
  return 7;
}

int CompareQualifiers(const std::string& a, const std::string& b) {
  int ra = QualifierRank(a), rb = QualifierRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  return ra < 7 ? 0 : Sign(a.compare(b));
}

Version::Version(absl::string_view in) {
  const std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(in));
  nodes_.emplace_back(Node::kList);
  opened_.push_back(0);
  int list = 0;
  bool digits = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' || c == '-') {
      if (i == start) {
        Add(list, Node(Node::kNumber, "0"));
      } else {
        AddItem(list, digits, s.substr(start, i - start), false);
      }
      start = i + 1;
      if (c == '-') list = OpenList(list);
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      if (!digits && i > start) {
        if (!nodes_[list].items.empty()) list = OpenList(list);
        AddItem(list, false, s.substr(start, i - start), true);
        start = i;
        list = OpenList(list);
      }
      digits = true;
    } else {
      if (digits && i > start) {
        AddItem(list, true, s.substr(start, i - start), false);
        start = i;
        list = OpenList(list);
      }
      digits = false;
    }
  }
  if (s.size() > start) {
    if (!digits && !nodes_[list].items.empty()) list = OpenList(list);
    AddItem(list, digits, s.substr(start), false);
  }
  // Innermost (last opened) first, so that a list emptied here counts as
  // null in the one holding it.
  for (auto it = opened_.rbegin(); it != opened_.rend(); ++it) {
    std::vector<int>& items = nodes_[*it].items;
    for (size_t i = items.size(); i-- > 0;) {
      if (IsNull(items[i])) {
        items.erase(items.begin() + i);
      } else if (nodes_[items[i]].kind != Node::kList) {
        break;
      }
    }
  }
}

int Version::Add(int list, Node node) {
  nodes_.push_back(std::move(node));
  const int n = static_cast<int>(nodes_.size() - 1);
  nodes_[list].items.push_back(n);
  return n;
}

int Version::OpenList(int list) {
  const int n = Add(list, Node(Node::kList));
  opened_.push_back(n);
  return n;
}

void Version::AddItem(int list, bool digits, absl::string_view text,
                      bool followed_by_digit) {
  if (digits) {
    size_t nz = text.find_first_not_of('0');
    if (nz != absl::string_view::npos) text.remove_prefix(nz);
    Node n(Node::kNumber, std::string(text));
    n.width = text.size() <= 9 ? 0 : text.size() <= 18 ? 1 : 2;
    Add(list, std::move(n));
    return;
  }
  std::string q(text);
  if (followed_by_digit && q.size() == 1) {
    if (q == "a") q = "alpha";
    if (q == "b") q = "beta";
    if (q == "m") q = "milestone";
  }
  if (q == "ga" || q == "final" || q == "release") q.clear();
  if (q == "cr") q = "rc";
  Add(list, Node(Node::kQualifier, std::move(q)));
}

bool Version::IsNull(int n) const {
  const Node& node = nodes_[n];
  switch (node.kind) {
    case Node::kNumber:
      return node.text.find_first_not_of('0') == std::string::npos;
    case Node::kQualifier:
      return node.text.empty();  // the release qualifier
    case Node::kList:
      return node.items.empty();
  }
  return false;
}

int Version::CompareWithNothing(int n) const {
  const Node& node = nodes_[n];
  switch (node.kind) {
    case Node::kNumber:
      return IsNull(n) ? 0 : 1;
    case Node::kQualifier:
      return CompareQualifiers(node.text, "");
    case Node::kList:
      for (int item : node.items) {
        if (int c = CompareWithNothing(item); c != 0) return c;
      }
      return 0;
  }
  return 0;
}

int Version::CompareLists(int a, const Version& other, int b) const {
  const std::vector<int>& x = nodes_[a].items;
  const std::vector<int>& y = other.nodes_[b].items;
  for (size_t i = 0; i < x.size() || i < y.size(); ++i) {
    int c = i >= x.size()   ? -other.CompareWithNothing(y[i])
            : i >= y.size() ? CompareWithNothing(x[i])
                            : CompareNodes(x[i], other, y[i]);
    if (c != 0) return c;
  }
  return 0;
}

int Version::CompareNodes(int a, const Version& other, int b) const {
  const Node& x = nodes_[a];
  const Node& y = other.nodes_[b];
  if (x.kind != y.kind) {
    // number > list > qualifier
    static constexpr int kRank[] = {2, 0, 1};
    return kRank[x.kind] < kRank[y.kind] ? -1 : 1;
  }
  switch (x.kind) {
    case Node::kNumber:
      if (x.width != y.width) return x.width < y.width ? -1 : 1;
      return CompareDigits(x.text, y.text);
    case Node::kQualifier:
      return CompareQualifiers(x.text, y.text);
    case Node::kList:
      return CompareLists(a, other, b);
  }
  return 0;
}

}  // namespace

absl::StatusOr<int> CompareMaven(absl::string_view a, absl::string_view b) {
  for (absl::string_view v : {a, b}) {
    if (absl::StripAsciiWhitespace(v).empty()) {
      return absl::InvalidArgumentError("'' is not a Maven version: empty");
    }
    if (v.size() > kMaxLength) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", absl::CEscape(v.substr(0, 40)),
                       "...' is not a Maven version: longer than ", kMaxLength,
                       " characters"));
    }
    for (char c : v) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", absl::CEscape(v),
            "' is not a Maven version: contains a control character"));
      }
    }
  }
  return Sign(Version(a).Compare(Version(b)));
}

}  // namespace dso
