# CPACK_PRE_BUILD_SCRIPTS of cmake/Packaging.cmake: runs in cpack after the
# staging install, before the .deb is made. Turns the `cmake --install` layout
# into Debian's: the binary without .comment/.note, manual pages gzipped
# without a timestamp (gzip -9n), the zsh completion in
# /usr/share/zsh/vendor-completions (on Debian zsh's fpath),
# /usr/share/doc/cartsync/{copyright,changelog.gz} and the lintian overrides. Variables from cpack_project_config.cmake: CARTSYNC_DEB_SOURCE_DIR,
# CARTSYNC_DEB_DIR.
set(root "")
foreach(candidate ${CPACK_TEMPORARY_INSTALL_DIRECTORY} ${CPACK_TEMPORARY_DIRECTORY})
  if(EXISTS "${candidate}/usr/bin/cartsync")
    set(root "${candidate}")
    break()
  endif()
endforeach()
if(NOT root)
  file(GLOB_RECURSE found LIST_DIRECTORIES false "${CPACK_TEMPORARY_DIRECTORY}/*/usr/bin/cartsync")
  list(LENGTH found n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "prepare_staging: no usr/bin/cartsync under ${CPACK_TEMPORARY_DIRECTORY}")
  endif()
  get_filename_component(root "${found}" DIRECTORY)  # usr/bin
  get_filename_component(root "${root}" DIRECTORY)   # usr
  get_filename_component(root "${root}" DIRECTORY)
endif()
set(usr "${root}/usr")
find_program(GZIP_EXECUTABLE gzip REQUIRED)
find_program(STRIP_EXECUTABLE strip REQUIRED)

# Already stripped (CPACK_STRIP_FILES); also without the sections lintian calls
# unneeded (binary-has-unneeded-section).
execute_process(COMMAND ${STRIP_EXECUTABLE} --remove-section=.comment --remove-section=.note
                        "${usr}/bin/cartsync" RESULT_VARIABLE strip_rc)
if(NOT strip_rc EQUAL 0)
  message(FATAL_ERROR "prepare_staging: strip usr/bin/cartsync failed")
endif()

function(gzip_n file)
  execute_process(COMMAND ${GZIP_EXECUTABLE} -9nf "${file}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "prepare_staging: gzip ${file} failed")
  endif()
endfunction()

file(GLOB pages "${usr}/share/man/man1/*.1")
if(NOT pages)
  message(FATAL_ERROR "prepare_staging: no manual pages in ${usr}/share/man/man1")
endif()
foreach(page ${pages})
  gzip_n("${page}")
endforeach()

set(zsh_from "${usr}/share/zsh/site-functions/_cartsync")
if(EXISTS "${zsh_from}")
  file(MAKE_DIRECTORY "${usr}/share/zsh/vendor-completions")
  file(RENAME "${zsh_from}" "${usr}/share/zsh/vendor-completions/_cartsync")
  file(REMOVE_RECURSE "${usr}/share/zsh/site-functions")
endif()

set(doc "${usr}/share/doc/cartsync")
file(MAKE_DIRECTORY "${doc}")
file(COPY_FILE "${CARTSYNC_DEB_SOURCE_DIR}/copyright" "${doc}/copyright")
# A native package (no Debian revision in the version): changelog.gz, not changelog.Debian.gz.
file(COPY_FILE "${CARTSYNC_DEB_DIR}/changelog.Debian" "${doc}/changelog")
gzip_n("${doc}/changelog")
set(overrides "${usr}/share/lintian/overrides")
file(MAKE_DIRECTORY "${overrides}")
file(COPY_FILE "${CARTSYNC_DEB_SOURCE_DIR}/lintian-overrides" "${overrides}/cartsync")

# Debian's permissions whatever the umask: directories and programs 0755, other files 0644.
file(GLOB_RECURSE all LIST_DIRECTORIES true "${usr}/*")
foreach(f ${all})
  if(IS_DIRECTORY "${f}" OR f STREQUAL "${usr}/bin/cartsync")
    file(CHMOD "${f}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
         WORLD_READ WORLD_EXECUTE)
  else()
    file(CHMOD "${f}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endforeach()
