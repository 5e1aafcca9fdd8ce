# Embeds the web page of `tfm serve` in the binary, so that it needs no files at run time:
#
#   tfm_embed_files(TARGET tfm_web_assets FILES src/serve/web/index.html ...)
#
# makes the static library TARGET, whose one source, generated in the build folder at build
# time, defines tfm::serve::web_assets() (src/serve/web_assets.h): each file as a byte array,
# served at "/" + its name ("/" for index.html), with a content type taken from its extension.
# The source is regenerated whenever one of the files (or this script) changes.
#
# The same file is the generator: the build runs it as a script (cmake -P) with OUTPUT and FILES.

if(CMAKE_SCRIPT_MODE_FILE)
  function(tfm_content_type file result)
    get_filename_component(extension "${file}" LAST_EXT)
    string(TOLOWER "${extension}" extension)
    if(extension STREQUAL ".html")
      set(type "text/html; charset=utf-8")
    elseif(extension STREQUAL ".js")
      set(type "text/javascript; charset=utf-8")
    elseif(extension STREQUAL ".css")
      set(type "text/css; charset=utf-8")
    elseif(extension STREQUAL ".svg")
      set(type "image/svg+xml")
    elseif(extension STREQUAL ".png")
      set(type "image/png")
    else()
      set(type "application/octet-stream")
    endif()
    set(${result} "${type}" PARENT_SCOPE)
  endfunction()

  set(names "")
  set(arrays "")
  set(entries "")
  set(index 0)
  foreach(file IN LISTS FILES)
    get_filename_component(name "${file}" NAME)
    set(path "/${name}")
    if(name STREQUAL "index.html")
      set(path "/")
    endif()
    tfm_content_type("${file}" type)
    file(READ "${file}" hex HEX)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    # 24 bytes a line keeps the generated file readable by diff tools and editors.
    string(REPEAT "0x..," 24 line)
    string(REGEX REPLACE "(${line})" "\\1\n    " bytes "${bytes}")
    # A trailing NUL: an empty file still makes a valid array, and it is not part of the body.
    string(APPEND arrays "// ${name}\nconstexpr unsigned char kFile${index}[] = {\n    ${bytes}0x00};\n\n")
    string(APPEND names " ${name}")
    string(APPEND entries "      {\"${path}\", \"${type}\", as_text(kFile${index}, sizeof kFile${index} - 1)},\n")
    math(EXPR index "${index} + 1")
  endforeach()

  set(template [=[
// Generated at build time by cmake/EmbedFiles.cmake from@names@. Do not edit.
#include "serve/web_assets.h"

#include <cstddef>

namespace tfm::serve {

namespace {

std::string_view as_text(const unsigned char* bytes, std::size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

@arrays@}  // namespace

std::span<const WebAsset> web_assets() {
  static const WebAsset assets[] = {
@entries@  };
  return assets;
}

}  // namespace tfm::serve
]=])
  string(CONFIGURE "${template}" source @ONLY)
  # Written even when unchanged, so that it is newer than the files and the build is done with it.
  file(WRITE "${OUTPUT}" "${source}")
  return()
endif()

function(tfm_embed_files)
  cmake_parse_arguments(PARSE_ARGV 0 EMBED "" "TARGET" "FILES")
  if(NOT EMBED_TARGET OR NOT EMBED_FILES)
    message(FATAL_ERROR "tfm_embed_files: give TARGET and FILES")
  endif()
  set(files "")
  foreach(file IN LISTS EMBED_FILES)
    get_filename_component(file "${file}" ABSOLUTE)
    list(APPEND files "${file}")
  endforeach()
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${EMBED_TARGET}.cpp")
  # The list goes to the script as one argument.
  string(REPLACE ";" "$<SEMICOLON>" files_argument "${files}")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" "-DOUTPUT=${output}" "-DFILES=${files_argument}" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    DEPENDS ${files} "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    COMMENT "Embedding ${EMBED_TARGET}"
    VERBATIM)
  add_library(${EMBED_TARGET} STATIC "${output}")
  target_include_directories(${EMBED_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/src")
endfunction()
