#include "serve/web_assets.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

namespace tfm::serve {
namespace {

std::map<std::string, WebAsset> assets_by_path() {
  std::map<std::string, WebAsset> assets;
  for (const WebAsset& asset : web_assets()) {
    EXPECT_TRUE(assets.emplace(std::string(asset.path), asset).second) << "served twice: " << asset.path;
  }
  return assets;
}

TEST(WebAssets, ThePageItsScriptAndItsStyleAreEmbedded) {
  const auto assets = assets_by_path();
  ASSERT_EQ(assets.size(), 3u);
  for (const char* path : {"/", "/app.js", "/style.css"}) {
    ASSERT_TRUE(assets.contains(path)) << path;
    EXPECT_GT(assets.at(path).body.size(), 100u) << path;
  }
  EXPECT_TRUE(assets.at("/").content_type.starts_with("text/html")) << assets.at("/").content_type;
  EXPECT_TRUE(assets.at("/app.js").content_type.starts_with("text/javascript")) << assets.at("/app.js").content_type;
  EXPECT_TRUE(assets.at("/style.css").content_type.starts_with("text/css")) << assets.at("/style.css").content_type;
}

TEST(WebAssets, TheBodiesAreTheFilesBytesExactly) {
  const auto assets = assets_by_path();
  const std::string_view page = assets.at("/").body;
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>")) << page.substr(0, 40);
  EXPECT_TRUE(page.ends_with("</html>\n"));
  EXPECT_EQ(page.find('\0'), std::string_view::npos) << "the generator's terminating NUL is not part of the body";
}

TEST(WebAssets, ThePageLoadsItsScriptAndStyle) {
  const std::string page(assets_by_path().at("/").body);
  EXPECT_NE(page.find("<script src=\"app.js\">"), std::string::npos);
  EXPECT_NE(page.find("<link rel=\"stylesheet\" href=\"style.css\">"), std::string::npos);
}

// The page must work on a machine without internet access, and tell no other host that it was opened.
TEST(WebAssets, NothingIsLoadedFromAnotherHost) {
  // src="//cdn.example/x.js", href='https:...', url(//...): a reference that leaves this server.
  const std::regex elsewhere(R"(((src|href)\s*=\s*["']?|url\(\s*["']?)(https?:|//))", std::regex::icase);
  for (const WebAsset& asset : web_assets()) {
    const std::string body(asset.body);
    EXPECT_EQ(body.find("http://"), std::string::npos) << asset.path;
    EXPECT_EQ(body.find("https://"), std::string::npos) << asset.path;
    EXPECT_EQ(body.find("@import"), std::string::npos) << asset.path << ": a style sheet that loads another";
    std::smatch match;
    EXPECT_FALSE(std::regex_search(body, match, elsewhere)) << asset.path << ": " << match.str();
  }
}

}  // namespace
}  // namespace tfm::serve
