# The Debian package: `cpack -G DEB` in a configured and built build directory
# writes cartsync_<version>_<arch>.deb holding what `cmake --install` lays
# out (tools/CMakeLists.txt: the binary, the manual pages, the completions),
# under /usr, in the places Debian looks:
#
#   /usr/bin/cartsync
#   /usr/share/man/man1/cartsync*.1.gz             (gzip -9n: no timestamp)
#   /usr/share/bash-completion/completions/cartsync
#   /usr/share/zsh/vendor-completions/_cartsync    (Debian zsh's fpath; `cmake
#                                                    --install` uses site-functions)
#   /usr/share/fish/vendor_completions.d/cartsync.fish
#   /usr/share/cartsync/schema/{cart,project}.schema.json   (for editors)
#   /usr/share/doc/cartsync/copyright, changelog.gz  (a native package: no
#                                                    Debian revision)
#   /usr/share/lintian/overrides/cartsync
#
# The version is the git tag (`git describe --tags`, vX.Y.Z -> X.Y.Z; a commit
# after a tag X.Y.Z+N.gHASH); untagged, the project() version and the commit
# (0.1.0+git.HASH); "+dirty" for uncommitted changes. Dependencies come from
# dpkg-shlibdeps (Debian package dpkg-dev) on the binary. What lintian still
# says is explained in cmake/debian/lintian-overrides.
# Check: tests/tools/deb_check.sh BUILD_DIR.

set(CARTSYNC_PACKAGE_MAINTAINER "cartsync maintainers <maintainers@users.noreply.r-seed-2c75b947.example>"
    CACHE STRING "Maintainer field of the Debian package")

# --- The JSON Schemas, installed for editors ----------------------------------
# share/cartsync/schema/{cart,project}.schema.json, printed by the binary (like
# the manual pages), so an editor can point at one absolute path on every
# machine with the package (examples/editors/vscode/settings.json).
set(CARTSYNC_SCHEMA_OUT ${PROJECT_BINARY_DIR}/share/schema)
add_custom_command(
  OUTPUT ${CARTSYNC_SCHEMA_OUT}/cart.schema.json ${CARTSYNC_SCHEMA_OUT}/project.schema.json
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CARTSYNC_SCHEMA_OUT}
  COMMAND $<TARGET_FILE:cartsync> schema --json-schema > ${CARTSYNC_SCHEMA_OUT}/cart.schema.json
  COMMAND $<TARGET_FILE:cartsync> schema --json-schema --project
          > ${CARTSYNC_SCHEMA_OUT}/project.schema.json
  DEPENDS cartsync
  COMMENT "Generating the JSON Schemas of cart files and cartsync.toml")
add_custom_target(cartsync_json_schemas ALL DEPENDS ${CARTSYNC_SCHEMA_OUT}/cart.schema.json)
include(GNUInstallDirs)
install(FILES ${CARTSYNC_SCHEMA_OUT}/cart.schema.json ${CARTSYNC_SCHEMA_OUT}/project.schema.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/cartsync/schema)

# --- The version ---------------------------------------------------------------
set(CARTSYNC_PACKAGE_VERSION "${PROJECT_VERSION}")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --match "v[0-9]*" --dirty=+dirty
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} RESULT_VARIABLE describe_rc
                  OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(describe_rc EQUAL 0 AND describe MATCHES "^v([0-9]+\\.[0-9]+\\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(\\+dirty)?$")
    set(CARTSYNC_PACKAGE_VERSION "${CMAKE_MATCH_1}")
    if(CMAKE_MATCH_2)
      string(APPEND CARTSYNC_PACKAGE_VERSION "+${CMAKE_MATCH_3}.g${CMAKE_MATCH_4}")
    endif()
    string(APPEND CARTSYNC_PACKAGE_VERSION "${CMAKE_MATCH_5}")
    if(NOT CMAKE_MATCH_1 VERSION_EQUAL PROJECT_VERSION)
      message(WARNING "git tag v${CMAKE_MATCH_1} is not project(VERSION ${PROJECT_VERSION}): "
                      "`cartsync --version` says ${PROJECT_VERSION}, the package ${CMAKE_MATCH_1}")
    endif()
  else()
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} RESULT_VARIABLE rev_rc
                    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rev_rc EQUAL 0 AND commit)
      string(APPEND CARTSYNC_PACKAGE_VERSION "+git.${commit}")
      execute_process(COMMAND ${GIT_EXECUTABLE} diff --quiet HEAD --
                      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} RESULT_VARIABLE dirty ERROR_QUIET)
      if(NOT dirty EQUAL 0)
        string(APPEND CARTSYNC_PACKAGE_VERSION "+dirty")
      endif()
    endif()
  endif()
endif()

# --- Files only the package has ------------------------------------------------
# changelog.Debian: one entry for this version, dated by the last commit (so the
# same commit gives the same package bytes).
set(changelog_date "Thu, 01 Jan 1970 00:00:00 +0000")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} log -1 --format=%aD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE git_date
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(git_date)
    set(changelog_date "${git_date}")
  endif()
endif()
set(CARTSYNC_DEB_DIR ${PROJECT_BINARY_DIR}/debian)
file(WRITE ${CARTSYNC_DEB_DIR}/changelog.Debian
     "cartsync (${CARTSYNC_PACKAGE_VERSION}) unstable; urgency=medium\n\n"
     "  * Built from the cartsync sources, version ${CARTSYNC_PACKAGE_VERSION}.\n\n"
     " -- ${CARTSYNC_PACKAGE_MAINTAINER}  ${changelog_date}\n")

# --- CPack ---------------------------------------------------------------------
set(CPACK_PACKAGE_NAME cartsync)
set(CPACK_PACKAGE_VERSION "${CARTSYNC_PACKAGE_VERSION}")
set(CPACK_PACKAGE_VENDOR "cartsync")
set(CPACK_PACKAGE_CONTACT "${CARTSYNC_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "declarative order sync between shopping carts and a WMS")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # cartsync_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CARTSYNC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# tzdata: "daily at HH:MM ZONE" schedules read the system's time zone database.
set(CPACK_DEBIAN_PACKAGE_DEPENDS tzdata)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# The extended description (the synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "cartsync connects order sources (Shopify, WooCommerce, BigCommerce, Amazon,
eBay, Walmart, Magento) to a warehouse management system. Each cart is one
TOML file kept in git: `cartsync check` validates every file with precise
diagnostics, `cartsync plan` compiles the project into a deterministic
execution plan, and `cartsync run` downloads orders, uploads tracking and
pushes stock, idempotently.")
# Directories 0755, files 0644/0755 whatever the umask of the build.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# After the staging install, before the archive: gzip the manual pages, move
# the zsh completion, add copyright, changelog and lintian overrides.
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/debian/prepare_staging.cmake)
set(CARTSYNC_DEB_SOURCE_DIR ${PROJECT_SOURCE_DIR}/cmake/debian)
set(CPACK_PROJECT_CONFIG_FILE ${CARTSYNC_DEB_DIR}/cpack_project_config.cmake)
file(WRITE ${CPACK_PROJECT_CONFIG_FILE}
     "set(CARTSYNC_DEB_SOURCE_DIR \"${CARTSYNC_DEB_SOURCE_DIR}\")\n"
     "set(CARTSYNC_DEB_DIR \"${CARTSYNC_DEB_DIR}\")\n")
# Full RELRO for the packaged binary (lintian: hardening-no-bindnow); a link
# option of this one target, so no object file is rebuilt for it.
target_link_options(cartsync PRIVATE LINKER:-z,relro,-z,now)
include(CPack)
