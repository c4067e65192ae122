# package.cmake - what 'cmake --install' puts where, and the .deb 'cpack -G DEB' makes of
# it (included by the top-level CMakeLists.txt, after the retrylens target).
#
#   bin/retrylens
#   share/man/man1/retrylens.1.gz                    (gzipped at build time, as Debian ships them)
#   share/bash-completion/completions/retrylens      (bash-completion loads it on first use)
#   share/zsh/vendor-completions/_retrylens          (on Debian's zsh fpath under /usr;
#                                                     RL_ZSH_COMPLETION_DIR moves it)
#
# tests/e2e/install.sh checks that an install holds exactly these, and the .deb too.
include(GNUInstallDirs)

install(TARGETS retrylens RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# --- the man page: gzip -9n (no name, no time stamp: the same page gives the same bytes)
set(RL_MAN_PAGE ${CMAKE_SOURCE_DIR}/cmd/doc/retrylens.1)
find_program(RL_GZIP gzip)
if(RL_GZIP)
  set(RL_MAN_GZ ${CMAKE_BINARY_DIR}/retrylens.1.gz)
  add_custom_command(
    OUTPUT ${RL_MAN_GZ}
    COMMAND sh -c "\"$0\" -9nc \"$1\" > \"$2\"" ${RL_GZIP} ${RL_MAN_PAGE} ${RL_MAN_GZ}
    DEPENDS ${RL_MAN_PAGE}
    COMMENT "Compressing the man page"
    VERBATIM)
  add_custom_target(man_page ALL DEPENDS ${RL_MAN_GZ})
  install(FILES ${RL_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  install(FILES ${RL_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# --- shell completion
install(FILES ${CMAKE_SOURCE_DIR}/cmd/doc/completion/retrylens.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME retrylens)
# Debian's zsh looks in /usr/share/zsh/vendor-completions (the .deb) and in
# /usr/local/share/zsh/site-functions: an install under /usr/local may set
# -DRL_ZSH_COMPLETION_DIR=share/zsh/site-functions, or add the directory to fpath
set(RL_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
    CACHE STRING "Where the zsh completion is installed, under the prefix")
install(FILES ${CMAKE_SOURCE_DIR}/cmd/doc/completion/_retrylens DESTINATION ${RL_ZSH_COMPLETION_DIR})

# --- the Debian package: cd build && cpack -G DEB -> retrylens_VERSION-1_ARCH.deb --------
set(CPACK_PACKAGE_NAME retrylens)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "retrylens")
set(CPACK_PACKAGE_CONTACT "retrylens maintainers <maintainers@users.noreply.r-seed-48996cf7.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "tell how API clients retry failed requests, from access logs")
# the synopsis line is the summary above; this is the long description under it
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "retrylens reads web server access logs (nginx, Apache, ALB, JSON logs), client
traces and HAR files, and reports how much of the error traffic is retryable,
which clients retry what they must not (blind 4xx retries, unsafe retries of
non-idempotent calls), and whether retries back off as the API's policy asks.
It keeps per-minute aggregates in SQLite, made to run from cron or at the end
of a pipe.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the libraries the binary links (dpkg-shlibdeps, in dpkg-dev, which
# build-essential pulls in, and file(1)); without them, the Debian 12 names by hand.
find_program(RL_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(RL_FILE file) # CPack's DEB generator runs file(1) before dpkg-shlibdeps
if(RL_DPKG_SHLIBDEPS AND RL_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libpcre2-8-0, libsqlite3-0, libjansson4, zlib1g")
endif()
include(CPack)
