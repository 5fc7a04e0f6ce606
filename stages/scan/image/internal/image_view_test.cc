#include "stages/scan/image/internal/image_view.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using Type = LayerEntryInfo::Type;

LayerEntryInfo Entry(const std::string& path, Type type) {
  LayerEntryInfo e;
  e.path = path;
  e.type = type;
  return e;
}
LayerEntryInfo F(const std::string& path) { return Entry(path, Type::kFile); }
LayerEntryInfo D(const std::string& path) {
  return Entry(path, Type::kDirectory);
}

std::vector<std::string> Paths(const ImageFileView& v) {
  std::vector<std::string> out;
  for (const auto& [p, n] : v.nodes()) {
    out.push_back(p + "@" + std::to_string(n.layer));
  }
  return out;
}

TEST(ImageFileViewTest, WhiteoutsOpaqueDirectoriesAndReplacements) {
  ImageFileView v;
  v.ApplyLayer(
      0, {D("app"), F("app/.env"), D("app/cache"), F("app/cache/a"), D("etc"),
          F("etc/conf"), D("opt"), D("opt/x"), F("opt/x/y"), F("keep")});
  v.ApplyLayer(1, {F("app/.wh..env"), D("etc"), F("etc/.wh..wh..opq"),
                   F("etc/new"), F("opt/x"), F(".wh.keepnot"),
                   F("app/cache/.wh.a"), F("app/cache/b")});
  EXPECT_THAT(Paths(v),
              ElementsAre("app@0", "app/cache@0", "app/cache/b@1", "etc@1",
                          "etc/new@1", "keep@0", "opt@0", "opt/x@1"));
  EXPECT_EQ(v.Find("app/.env"), nullptr);
  EXPECT_EQ(v.Find("opt/x")->info.type, Type::kFile);
  EXPECT_TRUE(IsWhiteout("a/.wh.b"));
  EXPECT_FALSE(IsWhiteout("a/b.wh.c"));
  // A whiteout of a directory takes what was below it.
  v.ApplyLayer(2, {F(".wh.app")});
  EXPECT_EQ(v.Find("app/cache/b"), nullptr);
  EXPECT_EQ(v.Find("app"), nullptr);
}

}  // namespace
}  // namespace dso
