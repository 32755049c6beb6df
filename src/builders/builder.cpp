#include "ctxpack/builders/builder.h"

#include "ctxpack/support/error.h"

namespace ctxpack {

const std::vector<const Builder*>& builders() {
  static const std::vector<const Builder*> all = {&buildkit_builder(), &legacy_builder(),
                                                       &buildah_builder()};
  return all;
}

const Builder& default_builder() { return *builders().front(); }

const Builder& find_builder(std::string_view id) {
  std::string names;
  for (const Builder* b : builders()) {
    if (b->id() == id) return *b;
    for (std::string_view alias : b->aliases()) {
      if (alias == id) return *b;
    }
    names += (names.empty() ? "" : ", ") + std::string(b->id());
  }
  throw Error("unknown builder \"" + std::string(id) + "\" (" + names + ")");
}

}  // namespace ctxpack
