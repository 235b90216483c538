// Writing outputs so a reader never sees half a file: write a temporary
// file beside the target, flush it to disk, then rename over the target.
#pragma once

#include <string>
#include <string_view>

namespace cartsync {

/// Replaces `path` with `content` atomically. On failure returns false with
/// `error` set, and leaves any existing file untouched.
bool WriteFileAtomic(const std::string& path, std::string_view content, std::string& error);

/// As above, the new file with the permission bits `mode` exactly (no umask):
/// `cartsync fmt` keeps a file's mode.
bool WriteFileAtomic(const std::string& path, std::string_view content, std::string& error,
                     unsigned mode);

}  // namespace cartsync
