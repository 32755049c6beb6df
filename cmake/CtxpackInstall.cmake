# What `cmake --install` puts in place (prefix and DESTDIR honoured): the
# program, its man page (generated from doc/ctxpack.1.scd by scdoc, never
# hand-written roff), shell completions, and the docker CLI plugin link.
find_program(SCDOC_EXECUTABLE scdoc REQUIRED)
set(CTXPACK_MAN_PAGE ${CMAKE_CURRENT_BINARY_DIR}/ctxpack.1)
add_custom_command(
  OUTPUT ${CTXPACK_MAN_PAGE}
  COMMAND ${SCDOC_EXECUTABLE} < ${CMAKE_CURRENT_SOURCE_DIR}/doc/ctxpack.1.scd > ${CTXPACK_MAN_PAGE}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/doc/ctxpack.1.scd
  COMMENT "Generating the man page ctxpack.1"
  VERBATIM)
add_custom_target(ctxpack_man ALL DEPENDS ${CTXPACK_MAN_PAGE})

install(TARGETS ctxpack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES ${CTXPACK_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
install(FILES completions/ctxpack.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME ctxpack COMPONENT runtime)
install(FILES completions/_ctxpack DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT runtime)
install(FILES completions/ctxpack.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT runtime)

# The docker CLI looks for plugins in <prefix>/lib/docker/cli-plugins
# whatever the distribution's libdir, and runs docker-ctxpack as
# `docker ctxpack`. A relative link to the program keeps the tree
# relocatable and the package free of a second copy.
set(CTXPACK_PLUGIN_DIR lib/docker/cli-plugins)
file(RELATIVE_PATH CTXPACK_PLUGIN_TARGET /${CTXPACK_PLUGIN_DIR} /${CMAKE_INSTALL_BINDIR}/ctxpack)
install(CODE "
  set(dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CTXPACK_PLUGIN_DIR}\")
  message(STATUS \"Installing: \${dir}/docker-ctxpack -> ${CTXPACK_PLUGIN_TARGET}\")
  file(MAKE_DIRECTORY \"\${dir}\")
  file(CREATE_LINK ${CTXPACK_PLUGIN_TARGET} \"\${dir}/docker-ctxpack\" SYMBOLIC)
" COMPONENT runtime)

# `cpack -G DEB` (or `cpack --config CPackConfig.cmake`): a .deb of what
# `cmake --install` puts in place, its runtime dependencies read from the
# binary by dpkg-shlibdeps rather than listed by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ctxpack)
set(CPACK_PACKAGE_VENDOR ctxpack)
set(CPACK_PACKAGE_CONTACT "ctxpack maintainers <ctxpack@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "see, explain, audit and pack the Docker build context")
set(CPACK_PACKAGE_DESCRIPTION
    "Shows which files docker build sends as the build context and the .dockerignore line that decided each, for BuildKit and the legacy builder; packs the context as a tar, reports its weight and risks (SARIF for code scanning), and runs as the docker CLI plugin `docker ctxpack`.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY ctxpack)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The debug information stays in the build tree.
set(CPACK_STRIP_FILES ON)
# The program's package; the library's files (CtxpackPackage) stay out.
set(CPACK_COMPONENTS_ALL runtime)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io | docker-ce-cli")
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/CtxpackDebManPages.cmake)
include(CPack)
