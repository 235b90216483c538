// HTML text escaping, shared by the pictures of a plan (compiler/plan_graph.h)
// and of a run (runtime/report_html.h): both put cart names, ids and errors
// that come from pull requests into a page, so one rule for both.
#pragma once

#include <string>
#include <string_view>

namespace cartsync {

/// `s` safe as HTML text and as a quoted attribute value (single or double
/// quotes): `&`, `<`, `>`, `"` and `'` become character references; ASCII
/// controls other than tab, newline and carriage return, and DEL, become
/// U+FFFD (HTML forbids them even as references). Other bytes pass through;
/// pages declare UTF-8, so a browser decodes a malformed byte as U+FFFD
/// without swallowing the ASCII after it.
inline std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

}  // namespace cartsync
