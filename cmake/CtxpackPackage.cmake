# The library as a CMake package for C++ users:
#   find_package(ctxpack CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE ctxpack::ctxpack)
# installs libctxpack.a, the public headers (include/ctxpack/), and
# ctxpackConfig.cmake with its version file. They make the `development`
# component, which the .deb leaves out (it carries the program only).
include(CMakePackageConfigHelpers)

set(CTXPACK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ctxpack)
install(TARGETS ctxpack_lib EXPORT ctxpackTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(DIRECTORY include/ctxpack DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
install(EXPORT ctxpackTargets NAMESPACE ctxpack:: DESTINATION ${CTXPACK_CMAKE_DIR} COMPONENT development)

configure_package_config_file(cmake/ctxpackConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/ctxpackConfig.cmake
                              INSTALL_DESTINATION ${CTXPACK_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ctxpackConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ctxpackConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ctxpackConfigVersion.cmake
        DESTINATION ${CTXPACK_CMAKE_DIR} COMPONENT development)
