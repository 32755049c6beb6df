# Against Debian's real buildah, offline (FROM scratch, vfs storage, chroot
# isolation, a private root): what `ctxpack ls --builder buildah` lists
# against what `COPY . /ctx/` puts in the image. Skipped (77) without buildah.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the buildah tests (tests/buildah) are not registered")
  return()
endif()

# About 3.5 minutes on two cores (four builds at once).
ctxpack_generated_contexts(CTXPACK_BUILDAH_CONTEXTS 200)
add_test(NAME buildah_ls
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_buildah_ls.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${CTXPACK_BUILDAH_CONTEXTS})
# Buildah's builds dominate its time; each of its workers has a storage root
# of its own, so it may run beside the other tests.
set_tests_properties(buildah_ls PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 LABELS "buildah;slow")
