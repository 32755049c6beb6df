# Run by CPack on its staging tree before it makes the .deb
# (CPACK_PRE_BUILD_SCRIPTS): Debian policy (12.1) wants man pages
# compressed with `gzip -9n` (no name or time stamp, so the package is
# reproducible); `cmake --install` keeps the plain page.
find_program(GZIP gzip REQUIRED)
file(GLOB_RECURSE staged "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*")
list(FILTER staged INCLUDE REGEX "/share/man/man[1-9]/[^/]+\\.[1-9]$")
if(NOT staged)
  message(FATAL_ERROR "no man page in ${CPACK_TEMPORARY_INSTALL_DIRECTORY} to compress")
endif()
foreach(page ${staged})
  execute_process(COMMAND ${GZIP} -9nf ${page} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip -9n ${page} failed")
  endif()
endforeach()
