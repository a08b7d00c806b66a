// Renders a Document as index.html: one self-contained page (inline CSS, no scripts, no
// network fetches) showing the tables and the plots as local SVG files beside it. Pure; any
// thread.
#pragma once

#include <string>

#include "harness/report/report_document.h"

namespace iomb::report {

std::string render_html(const Document& document);

std::string html_escape(const std::string& text);

}  // namespace iomb::report
