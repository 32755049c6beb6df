// Small string helpers the modules share.
#pragma once

#include <string>
#include <string_view>

namespace ctxpack {

// ASCII letters lower-cased, every other byte kept.
std::string ascii_lower(std::string_view s);

}  // namespace ctxpack
