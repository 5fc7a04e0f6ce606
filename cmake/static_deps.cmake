# DSO_STATIC_DEPS: link the C++ dependency stack statically.
#
# Debian ships Abseil as 40 shared libraries, beside gRPC, protobuf, RE2,
# Hyperscan and yaml-cpp; the dynamic loader resolving their symbols was
# half of every dsoctl start (dsoctl --version: 18 ms of CPU, 107 shared
# libraries). Their static archives (same packages) make it 9 ms and 56
# libraries; c-ares, libseccomp, expat and libsodium, whose archives need
# nothing more, one less each. Other C libraries (OpenSSL, libgit2,
# libarchive, ...) stay shared: their own dependencies have no archives.
# libcurl is not linked at all but opened on first use
# (stages/net/internal/curl_api.h).
option(DSO_STATIC_DEPS
       "Link Abseil, protobuf, gRPC, RE2, Hyperscan and yaml-cpp statically"
       ON)

# The libraries taken from their archives, by file name without lib/.so.
set(DSO_STATIC_LIB_REGEX
    "^lib(absl_.*|grpc|grpc\\+\\+|grpc\\+\\+_reflection|gpr|upb|address_sorting|protobuf|re2|hs|yaml-cpp|cares|seccomp|expat|sodium)\\.so")

# The archive beside a shared library — a path, or a bare name such as
# gRPC's "re2" or "-lre2", found where the linker would — or "" when there is
# none (or the library is not one of ours to take statically).
function(_dso_archive_for path out)
  set(${out} "" PARENT_SCOPE)
  if(path MATCHES "^(-l)?([A-Za-z0-9_][A-Za-z0-9_+.-]*)$")
    set(name "${CMAKE_MATCH_2}")
    find_library(_DSO_LIB_${name} NAMES ${name})
    set(path "${_DSO_LIB_${name}}")
  endif()
  if(NOT path MATCHES "^/")
    return()
  endif()
  get_filename_component(dir "${path}" DIRECTORY)
  get_filename_component(name "${path}" NAME)
  if(NOT name MATCHES "${DSO_STATIC_LIB_REGEX}")
    return()
  endif()
  string(REGEX REPLACE "\\.so.*$" ".a" archive "${name}")
  if(EXISTS "${dir}/${archive}")
    set(${out} "${dir}/${archive}" PARENT_SCOPE)
  endif()
endfunction()

# dso_prefer_static(TARGET...): imported targets (found packages, pkg-config
# modules) link the archives of the libraries above instead.
function(dso_prefer_static)
  if(NOT DSO_STATIC_DEPS)
    return()
  endif()
  foreach(t ${ARGN})
    if(NOT TARGET ${t})
      continue()
    endif()
    get_target_property(imported ${t} IMPORTED)
    if(NOT imported)
      continue()
    endif()
    get_target_property(type ${t} TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      foreach(prop IMPORTED_LOCATION IMPORTED_LOCATION_RELEASE
              IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_NONE
              IMPORTED_LOCATION_DEBUG IMPORTED_LOCATION_NOCONFIG)
        get_target_property(loc ${t} ${prop})
        if(loc)
          _dso_archive_for("${loc}" archive)
          if(archive)
            set_target_properties(${t} PROPERTIES ${prop} "${archive}")
          endif()
        endif()
      endforeach()
    endif()
    get_target_property(links ${t} INTERFACE_LINK_LIBRARIES)
    if(links)
      set(rewritten "")
      foreach(l ${links})
        _dso_archive_for("${l}" archive)
        if(archive)
          list(APPEND rewritten "${archive}")
        else()
          list(APPEND rewritten "${l}")
        endif()
      endforeach()
      set_target_properties(${t} PROPERTIES INTERFACE_LINK_LIBRARIES
                                            "${rewritten}")
    endif()
  endforeach()
endfunction()
