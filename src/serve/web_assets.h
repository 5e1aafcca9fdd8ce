#pragma once
// The web page of `tfm serve` (src/serve/web/), embedded in the binary at build time by
// cmake/EmbedFiles.cmake, so that the server needs no files besides its models.
#include <span>
#include <string_view>

namespace tfm::serve {

struct WebAsset {
  std::string_view path;          // where it is served: "/" for index.html, else "/" + its file name
  std::string_view content_type;  // from its extension, e.g. "text/html; charset=utf-8"
  std::string_view body;
};

std::span<const WebAsset> web_assets();

}  // namespace tfm::serve
