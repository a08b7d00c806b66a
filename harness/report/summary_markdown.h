// Renders a Document as summary.md (GitHub-flavoured Markdown; plots linked as local SVGs).
// Pure; any thread.
#pragma once

#include <string>

#include "harness/report/report_document.h"

namespace iomb::report {

std::string render_markdown(const Document& document);

}  // namespace iomb::report
