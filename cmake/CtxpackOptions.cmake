# Warnings for our own code, and the sanitizer build used by .ci/run.
add_library(ctxpack_warnings INTERFACE)
target_compile_options(ctxpack_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)

option(CTXPACK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(CTXPACK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
