#include "compiler/editor_input.h"

#include <filesystem>
#include <istream>

#include "compiler/source_file.h"

namespace cartsync {

namespace fs = std::filesystem;

std::optional<std::string> FindProjectFileAbove(const std::string& path) {
  std::error_code ec;
  const fs::path given(path);
  fs::path dir = fs::absolute(given, ec).lexically_normal().parent_path();
  if (ec) return std::nullopt;
  for (int depth = 0; depth < 256 && !dir.empty(); ++depth) {
    fs::path candidate = dir / "cartsync.toml";
    if (fs::is_regular_file(candidate, ec)) {
      if (given.is_absolute()) return candidate.generic_string();
      fs::path rel = candidate.lexically_relative(fs::current_path(ec));
      return (rel.empty() ? candidate : rel).generic_string();
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

void CompileBuffer(const CompileOptions& options, const std::string& display,
                   const std::string& text, Compilation& out) {
  std::string project_text;
  std::optional<std::string> project = FindProjectFileAbove(display);
  if (project) {
    std::string error;
    if (!ReadFileBytes(*project, project_text, error)) {
      out.diags.Report(DiagId::IoError, {*project, {}, {}}, {*project, error});
      out.io_error = true;
      project.reset();
      project_text.clear();
    }
  }
  CompileTexts(project_text, {{display, text}}, options, out,
               project ? *project : std::string("cartsync.toml"));
}

std::string ReadInput(std::istream& in) {
  std::string out(kMaxSourceBytes + 1, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace cartsync
